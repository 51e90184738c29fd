// Bench wrapper: exposes the generated instruction and qparam checkers of nc_pkg as ports, so
// tests/rtl/insn_check_tb.cpp can compare them with the C checkers of nc_hw.h.
module nc_insn_check_tb
  import nc_pkg::*;
(
  input  nc_insn_t    insn_i,     // instruction to check
  output logic [7:0]  err_o,      // nc_err_e of nc_insn_check
  output logic [31:0] info_o,     // ERR_INFO of nc_insn_check
  input  logic [127:0] qparam_i,  // qparam record to check
  output logic [7:0]  qerr_o,     // nc_err_e of nc_qparam_check
  output logic [31:0] qinfo_o     // ERR_INFO of nc_qparam_check
);

  nc_check_t insn_res, qparam_res;

  assign insn_res = nc_insn_check(insn_i);
  assign qparam_res = nc_qparam_check(qparam_i);
  assign err_o = insn_res.err;
  assign info_o = insn_res.info;
  assign qerr_o = qparam_res.err;
  assign qinfo_o = qparam_res.info;

endmodule
