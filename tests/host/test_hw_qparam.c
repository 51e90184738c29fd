/*
 * The qparam record packer nc_hw.h generates (nc_hw_qparam_pack and its
 * inverse), against bytes worked out by hand from docs/isa.md's layout:
 *
 *   bytes 0..3   bias     s32, little-endian
 *   bytes 4..7   mult     s32
 *   byte  8      shift    s8
 *   byte  9      reserved, 0
 *   bytes 10..11 out_zp   s16
 *   bytes 12..13 act_min  s16
 *   bytes 14..15 act_max  s16
 *
 * These are the bytes the planner's and the tests' old hand-written packers
 * produced, so plans and test programs are unchanged by the move.
 */
#include "neocog/nc_hw.h"
#include "tests/common.h"

typedef struct {
  nc_hw_qparam_vals_t v;
  uint8_t want[16];
  const char *why;
} pack_case_t;

static const pack_case_t cases_[] = {
    {{-7, 1 << 30, -3, 5, -128, 127},
     {0xf9, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x40, 0xfd, 0x00, 0x05, 0x00,
      0x80, 0xff, 0x7f, 0x00},
     "-7 = 0xfffffff9, 2^30 = 0x40000000, -3 = 0xfd, -128 = 0xff80"},
    {{123456, 2000000000, 2, -128, -128, -1},
     {0x40, 0xe2, 0x01, 0x00, 0x00, 0x94, 0x35, 0x77, 0x02, 0x00, 0x80, 0xff,
      0x80, 0xff, 0xff, 0xff},
     "123456 = 0x0001e240, 2e9 = 0x77359400, -1 = 0xffff"},
    {{INT32_MIN, 0, -31, 255, 0, 255},
     {0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0xe1, 0x00, 0xff, 0x00,
      0x00, 0x00, 0xff, 0x00},
     "INT32_MIN = 0x80000000, -31 = 0xe1, 255 = 0x00ff"},
    {{0x04030201, 0x08070605, 0x09, 0x0c0b, 0x0e0d, 0x100f},
     {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x00, 0x0b, 0x0c,
      0x0d, 0x0e, 0x0f, 0x10},
     "byte i holds i + 1 except the reserved byte 9: every field's place"},
    {{INT32_MAX, INT32_MAX, 30, 0, 0, 0},
     {0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0x1e, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00},
     "INT32_MAX = 0x7fffffff, 30 = 0x1e"},
};

#define NCASES_ (sizeof cases_ / sizeof cases_[0])

static void assert_bytes_(const uint8_t *got, const uint8_t *want,
                          const char *why) {
  for (int i = 0; i < NC_HW_QPARAM_BYTES; i++) {
    cr_assert_eq(got[i], want[i], "%s: byte %d is 0x%02x, want 0x%02x", why, i,
                 got[i], want[i]);
  }
}

Test(hw_qparam, pack_matches_the_documented_layout) {
  cr_assert_eq(NC_HW_QPARAM_BYTES, 16);
  cr_assert_eq(NC_HW_QPARAM_WORDS * 4, NC_HW_QPARAM_BYTES);
  for (size_t c = 0; c < NCASES_; c++) {
    uint8_t got[NC_HW_QPARAM_BYTES + 2];
    memset(got, 0xa5, sizeof got);
    nc_hw_qparam_pack(&cases_[c].v, got + 1);
    assert_bytes_(got + 1, cases_[c].want, cases_[c].why);
    /* Exactly the record's bytes are written. */
    cr_assert_eq(got[0], 0xa5, "%s: wrote before the record", cases_[c].why);
    cr_assert_eq(got[NC_HW_QPARAM_BYTES + 1], 0xa5, "%s: wrote past it",
                 cases_[c].why);
  }
}

Test(hw_qparam, unpack_and_decode_invert_pack) {
  for (size_t c = 0; c < NCASES_; c++) {
    const nc_hw_qparam_vals_t *v = &cases_[c].v;
    nc_hw_qparam_vals_t back;
    memset(&back, 0x5a, sizeof back);
    nc_hw_qparam_unpack(cases_[c].want, &back);
    cr_assert(memcmp(&back, v, sizeof back) == 0, "%s: unpack", cases_[c].why);
    nc_hw_qparam_t rec;
    nc_hw_qparam_encode(v, &rec);
    uint8_t bytes[NC_HW_QPARAM_BYTES];
    nc_hw_words_to_bytes(rec.w, NC_HW_QPARAM_WORDS, bytes);
    assert_bytes_(bytes, cases_[c].want, cases_[c].why);
    memset(&back, 0x5a, sizeof back);
    nc_hw_qparam_decode(&rec, &back);
    cr_assert(memcmp(&back, v, sizeof back) == 0, "%s: decode", cases_[c].why);
  }
}

Test(hw_qparam, fields_keep_their_low_bits) {
  /* Out-of-width values lose their high bits and never spill into the
   * neighbours or the reserved byte; nc_hw_qparam_check() reports the
   * range, not the packer. */
  const nc_hw_qparam_vals_t v = {0, 0, 0x180, 0x12345, -0x10000, 0x1ffff};
  uint8_t got[NC_HW_QPARAM_BYTES];
  nc_hw_qparam_pack(&v, got);
  static const uint8_t want[NC_HW_QPARAM_BYTES] = {
      0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0x45, 0x23, 0x00, 0x00, 0xff, 0xff};
  assert_bytes_(got, want, "truncated fields");
  nc_hw_qparam_vals_t back;
  nc_hw_qparam_unpack(got, &back);
  cr_assert_eq(back.shift, -128);
  cr_assert_eq(back.out_zp, 0x2345);
  cr_assert_eq(back.act_min, 0);
  cr_assert_eq(back.act_max, -1);
}

Test(hw_qparam, random_round_trip) {
  nc_rng_t rng;
  nc_test_seed(&rng, "hw_qparam", "random_round_trip", 7);
  for (int i = 0; i < 2000; i++) {
    const nc_hw_qparam_vals_t v = {
        (int32_t)nc_rng_range(&rng, INT32_MIN, INT32_MAX),
        (int32_t)nc_rng_range(&rng, INT32_MIN, INT32_MAX),
        (int32_t)nc_rng_range(&rng, -128, 127),
        (int32_t)nc_rng_range(&rng, -32768, 32767),
        (int32_t)nc_rng_range(&rng, -32768, 32767),
        (int32_t)nc_rng_range(&rng, -32768, 32767)};
    uint8_t b[NC_HW_QPARAM_BYTES];
    nc_hw_qparam_pack(&v, b);
    cr_assert_eq(b[9], 0, "reserved byte");
    /* Each field where the layout puts it, little-endian. */
    const uint32_t bias = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                          (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    cr_assert_eq(bias, (uint32_t)v.bias);
    cr_assert_eq(b[8], (uint8_t)v.shift);
    cr_assert_eq(b[12] | b[13] << 8, (int)((uint32_t)v.act_min & 0xffffu));
    nc_hw_qparam_vals_t back;
    nc_hw_qparam_unpack(b, &back);
    cr_assert(memcmp(&back, &v, sizeof v) == 0, "record %d", i);
    /* Records in the documented ranges pass the hardware's check. */
    const nc_hw_qparam_vals_t ok = {v.bias,       v.mult & INT32_MAX,
                                    v.shift % 31, (v.out_zp & 0xff) - 64,
                                    -128,         (v.act_max & 0xff) - 1};
    nc_hw_qparam_t rec;
    nc_hw_qparam_encode(&ok, &rec);
    uint32_t info = 0;
    cr_assert_eq(nc_hw_qparam_check(&rec, &info), NC_HW_ERR_NONE,
                 "record %d: field at bit %u", i, info);
  }
}
