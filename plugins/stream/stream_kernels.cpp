#include "stream_kernels.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <immintrin.h>

namespace platbench::stream {

// Each wider instruction set is a target region: g++'s pragma, or clang's
// equivalent (clang builds platbench for the sanitizer build).

// The x86-64 baseline: no target region needed.
namespace sse2 {
struct Vec {
    using reg = __m128d;
    static constexpr std::size_t width = 2;
    static constexpr std::size_t bytes = 16;
    static reg load(const double* p) { return _mm_loadu_pd(p); }
    static void store(double* p, reg v) { _mm_store_pd(p, v); }
    static void stream(double* p, reg v) { _mm_stream_pd(p, v); }
    static reg splat(double q) { return _mm_set1_pd(q); }
    static reg mul(reg a, reg b) { return _mm_mul_pd(a, b); }
    static reg add(reg a, reg b) { return _mm_add_pd(a, b); }
    static reg mul_add(reg a, reg b, reg c) { return _mm_add_pd(_mm_mul_pd(a, b), c); }
    static void fence() { _mm_sfence(); }
};
#include "stream_kernels_generic.inc"
}  // namespace sse2

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
namespace avx2 {
struct Vec {
    using reg = __m256d;
    static constexpr std::size_t width = 4;
    static constexpr std::size_t bytes = 32;
    static reg load(const double* p) { return _mm256_loadu_pd(p); }
    static void store(double* p, reg v) { _mm256_store_pd(p, v); }
    static void stream(double* p, reg v) { _mm256_stream_pd(p, v); }
    static reg splat(double q) { return _mm256_set1_pd(q); }
    static reg mul(reg a, reg b) { return _mm256_mul_pd(a, b); }
    static reg add(reg a, reg b) { return _mm256_add_pd(a, b); }
    static reg mul_add(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
    static void fence() { _mm_sfence(); }
};
#include "stream_kernels_generic.inc"
}  // namespace avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif
namespace avx512 {
struct Vec {
    using reg = __m512d;
    static constexpr std::size_t width = 8;
    static constexpr std::size_t bytes = 64;
    static reg load(const double* p) { return _mm512_loadu_pd(p); }
    static void store(double* p, reg v) { _mm512_store_pd(p, v); }
    static void stream(double* p, reg v) { _mm512_stream_pd(p, v); }
    static reg splat(double q) { return _mm512_set1_pd(q); }
    static reg mul(reg a, reg b) { return _mm512_mul_pd(a, b); }
    static reg add(reg a, reg b) { return _mm512_add_pd(a, b); }
    static reg mul_add(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
    static void fence() { _mm_sfence(); }
};
#include "stream_kernels_generic.inc"
}  // namespace avx512
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

std::string_view isa_name(Isa isa) {
    switch (isa) {
        case Isa::Sse2: return "sse2";
        case Isa::Avx2: return "avx2";
        case Isa::Avx512: return "avx512f";
    }
    return "unknown";
}

bool isa_supported(Isa isa) {
    // libgcc's CPU detection also checks (XGETBV) that the OS saves the registers.
    // Initialised explicitly: its constructor's order relative to a caller's is not guaranteed.
    __builtin_cpu_init();
    switch (isa) {
        case Isa::Sse2: return true;
        case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case Isa::Avx512: return __builtin_cpu_supports("avx512f");
    }
    return false;
}

Isa widest_supported_isa() {
    if (isa_supported(Isa::Avx512)) return Isa::Avx512;
    if (isa_supported(Isa::Avx2)) return Isa::Avx2;
    return Isa::Sse2;
}

KernelSet kernels_for(Isa isa, bool streaming_stores) {
    if (!isa_supported(isa)) {
        throw std::invalid_argument("this CPU does not support " + std::string(isa_name(isa)));
    }
    switch (isa) {
        case Isa::Sse2: return sse2::kernel_set(streaming_stores);
        case Isa::Avx2: return avx2::kernel_set(streaming_stores);
        case Isa::Avx512: return avx512::kernel_set(streaming_stores);
    }
    throw std::invalid_argument("unknown instruction set");
}

}  // namespace platbench::stream
