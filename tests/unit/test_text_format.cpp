// Numbers for people in the text reports: each helper against hand-written expectations.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "spax/report/text_format.hpp"

namespace spax {
namespace {

TEST(TextFormat, Seconds) {
  EXPECT_EQ(format_seconds(1.5363000000000002e-05), "15.4 us");
  EXPECT_EQ(format_seconds(57e-6), "57.0 us");
  EXPECT_EQ(format_seconds(1.28e-3), "1.28 ms");
  EXPECT_EQ(format_seconds(0.25), "250 ms");
  EXPECT_EQ(format_seconds(2.0), "2.00 s");
  EXPECT_EQ(format_seconds(17.04), "17.0 s");
  EXPECT_EQ(format_seconds(7200.4), "7200 s");
  EXPECT_EQ(format_seconds(850e-9), "850 ns");
  EXPECT_EQ(format_seconds(3e-12), "0.00300 ns");
  EXPECT_EQ(format_seconds(0.0), "0 s");
  // Rounding that reaches the next unit moves to it: 999.7 us is 1.00 ms.
  EXPECT_EQ(format_seconds(999.7e-6), "1.00 ms");
  EXPECT_EQ(format_seconds(0.99996), "1.00 s");
  EXPECT_EQ(format_seconds(std::nan("")), "-");
}

TEST(TextFormat, Counts) {
  EXPECT_EQ(format_count(13387.0), "13.4k");
  EXPECT_EQ(format_count(35e6), "35.0M");
  EXPECT_EQ(format_count(2.1e13), "21.0T");
  EXPECT_EQ(format_count(947), "947");
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(2.5), "2.50");
  EXPECT_EQ(format_count(999.7e3), "1.00M");
  EXPECT_EQ(format_count(-4200), "-4.20k");
  EXPECT_EQ(format_count(std::nan("")), "-");
}

TEST(TextFormat, Numbers) {
  EXPECT_EQ(format_number(12.3456), "12.35");
  EXPECT_EQ(format_number(0.95), "0.95");
  EXPECT_EQ(format_number(1.0), "1");
  EXPECT_EQ(format_number(1e-16), "1e-16");
  EXPECT_EQ(format_number(1.5363000000000002e-05), "1.536e-05");
  EXPECT_EQ(format_number(1.5363000000000002e-05, 3), "1.54e-05");
  EXPECT_EQ(format_number(1234567.0), "1.235e+06");
  EXPECT_EQ(format_number(123456.0), "123456");
  EXPECT_EQ(format_number(-0.125), "-0.125");
  EXPECT_EQ(format_number(0.0), "0");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "inf");
}

TEST(TextFormat, Bytes) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.50 KB");
  EXPECT_EQ(format_bytes(900 * 1024), "900 KB");
  EXPECT_EQ(format_bytes(1023.8 * 1024), "1.00 MB");
  EXPECT_EQ(format_bytes(12.3 * 1024 * 1024), "12.3 MB");
}

}  // namespace
}  // namespace spax
