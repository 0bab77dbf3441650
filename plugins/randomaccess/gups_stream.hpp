// HPC Challenge RandomAccess's pseudo-random stream: the powers of x in GF(2)[x]
// modulo the primitive polynomial x^64 + x^2 + x + 1 (HPCC's POLY = 7). Element k
// of the stream (k = 0, 1, ...) is x^(k+1); an update XORs it into the table word
// its low bits name. The stream is HPCC's own, so a table size gives the same
// updates here as in HPCC, and a run can be checked by replaying it.
#pragma once

#include <cstdint>

namespace platbench::randomaccess {

inline constexpr std::uint64_t kPoly = 0x7;

// The element after `value`: multiply by x, reduce by the polynomial.
constexpr std::uint64_t next_in_stream(std::uint64_t value) {
    return (value << 1) ^ ((value >> 63) != 0 ? kPoly : 0);
}

// x^n: the value the stream holds before its n-th step (HPCC_starts(n)), in
// O(log n) carry-less multiplications, so a thread can start anywhere.
std::uint64_t stream_start(std::uint64_t n);

}  // namespace platbench::randomaccess
