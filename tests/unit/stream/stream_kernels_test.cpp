#include <doctest/doctest.h>

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../../../plugins/stream/stream_kernels.hpp"

namespace stream = platbench::stream;

namespace {

constexpr double kQ = 3.0;
constexpr double kGuard = -12345.0;
constexpr std::size_t kSlack = 16;  // guard elements on each side of the written range

struct FreeDeleter {
    void operator()(double* p) const { std::free(p); }
};

// 64-byte aligned storage, so `offset` controls the misalignment of a range exactly.
struct Buffer {
    std::unique_ptr<double[], FreeDeleter> memory;
    explicit Buffer(std::size_t elements)
        : memory(static_cast<double*>(std::aligned_alloc(64, ((elements * sizeof(double) + 63) / 64) * 64))) {}
    double* at(std::size_t i) { return memory.get() + i; }
};

// Small whole numbers, so every path (FMA or not, vector or scalar) is exact.
double x_value(std::size_t i) { return static_cast<double>(i % 97) + 1.0; }
double y_value(std::size_t i) { return 2.0 * static_cast<double>(i % 89) - 5.0; }

double reference(const std::string& kernel, std::size_t i) {
    if (kernel == "copy") return x_value(i);
    if (kernel == "scale") return kQ * x_value(i);
    if (kernel == "add") return x_value(i) + y_value(i);
    return x_value(i) + kQ * y_value(i);
}

// Runs `kernel` over n elements starting `offset` doubles past a 64-byte boundary
// and checks every element it should write, and that it wrote nothing else.
void check_kernel(stream::Kernel kernel, const std::string& name, std::size_t n, std::size_t offset) {
    const std::size_t total = kSlack + offset + n + kSlack;
    Buffer dst(total), x(total), y(total);
    const std::size_t start = kSlack + offset;
    for (std::size_t i = 0; i < total; ++i) {
        *dst.at(i) = kGuard;
        *x.at(i) = i >= start ? x_value(i - start) : 0.0;
        *y.at(i) = i >= start ? y_value(i - start) : 0.0;
    }
    kernel(dst.at(start), x.at(start), y.at(start), kQ, n);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < n; ++i) wrong += *dst.at(start + i) != reference(name, i);
    std::size_t outside = 0;
    for (std::size_t i = 0; i < start; ++i) outside += *dst.at(i) != kGuard;
    for (std::size_t i = start + n; i < total; ++i) outside += *dst.at(i) != kGuard;
    INFO(name << " n=" << n << " offset=" << offset);
    CHECK(wrong == 0);
    CHECK(outside == 0);
}

std::vector<stream::Isa> supported_isas() {
    std::vector<stream::Isa> isas;
    for (stream::Isa isa : stream::kAllIsas) {
        if (stream::isa_supported(isa)) isas.push_back(isa);
    }
    return isas;
}

}  // namespace

TEST_CASE("every supported kernel path computes STREAM's kernels exactly, head and tail included") {
    const std::vector<std::size_t> sizes = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 1001, 4099};
    const std::vector<std::size_t> offsets = {0, 1, 3, 7};
    for (stream::Isa isa : supported_isas()) {
        for (bool streaming : {false, true}) {
            CAPTURE(stream::isa_name(isa));
            CAPTURE(streaming);
            const stream::KernelSet set = stream::kernels_for(isa, streaming);
            for (std::size_t n : sizes) {
                for (std::size_t offset : offsets) {
                    check_kernel(set.copy, "copy", n, offset);
                    check_kernel(set.scale, "scale", n, offset);
                    check_kernel(set.add, "add", n, offset);
                    check_kernel(set.triad, "triad", n, offset);
                }
            }
        }
    }
}

TEST_CASE("the baseline kernels exist everywhere and the widest supported set is chosen") {
    CHECK(stream::isa_supported(stream::Isa::Sse2));
    const stream::Isa widest = stream::widest_supported_isa();
    CHECK(stream::isa_supported(widest));
    for (stream::Isa isa : stream::kAllIsas) {
        if (stream::isa_supported(isa)) CHECK(static_cast<int>(isa) <= static_cast<int>(widest));
    }
    CHECK(stream::isa_name(stream::Isa::Avx512) == "avx512f");
    CHECK(stream::isa_name(stream::Isa::Avx2) == "avx2");
    CHECK(stream::isa_name(stream::Isa::Sse2) == "sse2");
}

TEST_CASE("asking for kernels of an unsupported instruction set is refused") {
    for (stream::Isa isa : stream::kAllIsas) {
        if (!stream::isa_supported(isa)) {
            CHECK_THROWS_AS(stream::kernels_for(isa, false), std::invalid_argument);
        } else {
            const bool has_triad = stream::kernels_for(isa, false).triad != nullptr;
            CHECK(has_triad);
        }
    }
}
