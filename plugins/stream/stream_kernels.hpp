// The four STREAM kernels, one build per instruction set, chosen at run time.
//
// The plugin is one binary for every x86-64 it may meet (containers, VMs under
// emulation without AVX-512), so it is never compiled for the build host's CPU:
// each instruction set has its own kernels and the widest one the CPU and OS
// support is picked when the workload runs.
#pragma once

#include <cstddef>
#include <string_view>

namespace platbench::stream {

enum class Isa {
    Sse2,    // every x86-64
    Avx2,    // AVX2 with FMA
    Avx512,  // AVX-512 Foundation
};

inline constexpr Isa kAllIsas[] = {Isa::Sse2, Isa::Avx2, Isa::Avx512};

// "sse2", "avx2", "avx512f": recorded with every result as kernel_isa.
std::string_view isa_name(Isa isa);

// Whether this CPU (and its OS, which must save the wider registers) runs `isa`.
bool isa_supported(Isa isa);

Isa widest_supported_isa();

// One kernel over elements [0, n) of its arrays; arguments a kernel does not use
// are ignored. In STREAM's terms:
//   copy:  dst = x            (c = a)
//   scale: dst = q * x        (b = q * c)
//   add:   dst = x + y        (c = a + b)
//   triad: dst = x + q * y    (a = b + q * c)
// Any alignment and length are accepted: leading elements are done one by one
// until dst is aligned to the vector width, so every vector store is aligned
// (streaming stores require it), and the remainder is done one by one too.
using Kernel = void (*)(double* dst, const double* x, const double* y, double q, std::size_t n);

struct KernelSet {
    Kernel copy = nullptr;
    Kernel scale = nullptr;
    Kernel add = nullptr;
    Kernel triad = nullptr;
};

// Kernels for `isa`, with ordinary or non-temporal (streaming) stores. Throws
// std::invalid_argument when this CPU does not support `isa`.
KernelSet kernels_for(Isa isa, bool streaming_stores);

}  // namespace platbench::stream
