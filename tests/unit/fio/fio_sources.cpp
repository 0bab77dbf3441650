// The fio plugin's pure parts and the io_job they build on, compiled into the test
// as well as into the plugin (which exports only its two ABI symbols).
#include "../../../plugins/common/io_job.cpp"
#include "../../../plugins/fio/fio_command.cpp"
