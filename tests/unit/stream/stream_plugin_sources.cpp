// The kernels and STREAM's check, compiled into the test as well as into the
// plugin (which exports only its three ABI symbols), so they can be tested directly.
#include "../../../plugins/stream/cache_sizes.cpp"
#include "../../../plugins/stream/stream_check.cpp"
#include "../../../plugins/stream/stream_kernels.cpp"
