#include "gups_stream.hpp"

namespace platbench::randomaccess {
namespace {

// a * b in GF(2)[x] modulo the stream's polynomial (Horner over b's bits).
std::uint64_t multiply(std::uint64_t a, std::uint64_t b) {
    std::uint64_t product = 0;
    for (int bit = 63; bit >= 0; --bit) {
        product = next_in_stream(product);
        if ((b >> bit) & 1u) product ^= a;
    }
    return product;
}

}  // namespace

std::uint64_t stream_start(std::uint64_t n) {
    std::uint64_t result = 1;      // x^0
    std::uint64_t power = 2;       // x^1, squared at each bit of n
    for (; n != 0; n >>= 1) {
        if (n & 1u) result = multiply(result, power);
        power = multiply(power, power);
    }
    return result;
}

}  // namespace platbench::randomaccess
