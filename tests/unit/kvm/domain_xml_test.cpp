// The domain XML, compared with reviewed golden files in tests/data/kvm
// (PLATBENCH_REGENERATE_GOLDEN=1 rewrites them; review the diff).
#include <doctest/doctest.h>

#include "domain_xml.hpp"
#include "golden.hpp"

using namespace platbench::kvm;

namespace {

DomainSpec base_spec() {
    DomainSpec spec;
    spec.name = "platbench-e1-r0-4242-0";
    spec.domain_type = "qemu";
    spec.memory_bytes = 2ull << 30;
    spec.vcpus = 2;
    spec.cpu_model = "maximum";
    spec.kernel = "/var/tmp/platbench-kvm-0/kernels/vmlinux-26f2e57c99338fea";
    spec.initrd = "/var/tmp/platbench-kvm-0/initramfs-3a9a51e67ef1af73.cpio";
    spec.cmdline = "console=ttyS0 quiet panic=-1";
    spec.request_file = "/var/tmp/platbench-kvm-0/runs/platbench-e1-r0-4242-0/request";
    spec.console_log = "/var/tmp/platbench-kvm-0/runs/platbench-e1-r0-4242-0/console.log";
    spec.results_file = "/var/tmp/platbench-kvm-0/runs/platbench-e1-r0-4242-0/results";
    spec.labels = {{"platbench", "1"}, {"platbench.experiment", "quick"}, {"platbench.run", "e1-r0"}};
    return spec;
}

}  // namespace

TEST_CASE("TCG guest without a disk: emulated CPU, no network, fw_cfg request, results channel") {
    const std::string xml = domain_xml(base_spec());
    CHECK(xml == test::golden("kvm/tcg-no-disk.xml", xml));
}

TEST_CASE("KVM guest pinned to host CPUs with huge pages and a virtio-blk raw disk") {
    DomainSpec spec = base_spec();
    spec.domain_type = "kvm";
    spec.cpu_model = "host-passthrough";
    spec.vcpus = 3;
    spec.vcpu_pins = {2, 3};
    spec.hugepages = true;
    spec.disk = DiskSpec{"/var/tmp/platbench-kvm-0/disks/disk-4242-0.raw", "raw", "virtio-blk", "none", "native"};
    const std::string xml = domain_xml(spec);
    CHECK(xml == test::golden("kvm/kvm-pinned-hugepages-virtio-blk.xml", xml));
}

TEST_CASE("qcow2 disk on virtio-scsi with another cache and I/O mode, and a named CPU model") {
    DomainSpec spec = base_spec();
    spec.cpu_model = "Skylake-Server";
    spec.disk = DiskSpec{"/var/tmp/platbench-kvm-0/disks/disk-4242-1.qcow2", "qcow2", "virtio-scsi", "writeback", "threads"};
    const std::string xml = domain_xml(spec);
    CHECK(xml == test::golden("kvm/qcow2-virtio-scsi.xml", xml));
    CHECK(disk_target("virtio-scsi") == "sda");
    CHECK(disk_target("virtio-blk") == "vda");
}

TEST_CASE("a network run's VM has one virtio-net NIC on the run's bridge, without vhost where the host has none") {
    DomainSpec spec = base_spec();
    spec.nic = NicSpec{"pbbr7", "pbt7", false};
    const std::string xml = domain_xml(spec);
    CHECK(xml == test::golden("kvm/tcg-network-bridge.xml", xml));
    spec.nic->vhost = true;
    CHECK(domain_xml(spec).find("<driver name='vhost'/>") != std::string::npos);
}

TEST_CASE("text from outside is escaped: no element or attribute can be smuggled in") {
    DomainSpec spec = base_spec();
    spec.kernel = "/boot/vmlinuz'/><devices><interface type='network'/></devices><x a='";
    spec.labels["platbench.experiment"] = "a\"b<c>&d'e\x01";
    spec.cpu_model = "</model><feature policy='require' name='x'/>";
    const std::string xml = domain_xml(spec);
    CHECK(xml.find("<interface") == std::string::npos);
    CHECK(xml.find("<feature policy") == std::string::npos);
    CHECK(xml.find("a&quot;b&lt;c&gt;&amp;d&apos;e?") != std::string::npos);
    CHECK(xml_escaped("tab\tnew\nline") == "tab\tnew\nline");
}
