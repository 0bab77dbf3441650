#include "domain_xml.hpp"

#include <sstream>

#include "guest/guest_records.hpp"
#include "platbench/params.hpp"

namespace platbench::kvm {
namespace {

std::string cpu_element(const std::string& model) {
    if (model == "host-passthrough" || model == "host-model" || model == "maximum")
        return "  <cpu mode='" + model + "'/>\n";
    return "  <cpu mode='custom' match='exact'>\n    <model fallback='forbid'>" + xml_escaped(model) +
           "</model>\n  </cpu>\n";
}

void write_vcpus(std::ostringstream& xml, const DomainSpec& spec) {
    if (spec.vcpu_pins.empty()) {
        xml << "  <vcpu placement='static'>" << spec.vcpus << "</vcpu>\n";
        return;
    }
    xml << "  <vcpu placement='static' cpuset='" << format_cpu_list(spec.vcpu_pins) << "'>" << spec.vcpus
        << "</vcpu>\n";
    xml << "  <cputune>\n";
    for (int vcpu = 0; vcpu < spec.vcpus; ++vcpu)
        xml << "    <vcpupin vcpu='" << vcpu << "' cpuset='" << spec.vcpu_pins[vcpu % spec.vcpu_pins.size()] << "'/>\n";
    // QEMU's own threads (device emulation, I/O) share the same CPUs, as a container's would.
    xml << "    <emulatorpin cpuset='" << format_cpu_list(spec.vcpu_pins) << "'/>\n";
    xml << "  </cputune>\n";
}

void write_disk(std::ostringstream& xml, const DiskSpec& disk) {
    const bool scsi = disk.bus == "virtio-scsi";
    if (scsi) xml << "    <controller type='scsi' index='0' model='virtio-scsi'/>\n";
    xml << "    <disk type='file' device='disk'>\n"
        << "      <driver name='qemu' type='" << xml_escaped(disk.format) << "' cache='" << xml_escaped(disk.cache)
        << "' io='" << xml_escaped(disk.io) << "'/>\n"
        << "      <source file='" << xml_escaped(disk.path) << "'/>\n"
        << "      <target dev='" << disk_target(disk.bus) << "' bus='" << (scsi ? "scsi" : "virtio") << "'/>\n"
        << "    </disk>\n";
}

}  // namespace

std::string xml_escaped(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '\'': out += "&apos;"; break;
            case '"': out += "&quot;"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += '?';
                else out += c;
        }
    }
    return out;
}

std::string disk_target(const std::string& bus) { return bus == "virtio-scsi" ? "sda" : "vda"; }

std::string domain_xml(const DomainSpec& spec) {
    std::ostringstream xml;
    xml << "<domain type='" << xml_escaped(spec.domain_type) << "'>\n";
    xml << "  <name>" << xml_escaped(spec.name) << "</name>\n";
    xml << "  <metadata>\n    <" << kMetadataPrefix << ":labels xmlns:" << kMetadataPrefix << "='" << kMetadataUri << "'>\n";
    for (const auto& [key, value] : spec.labels)
        xml << "      <" << kMetadataPrefix << ":label name='" << xml_escaped(key) << "' value='" << xml_escaped(value)
            << "'/>\n";
    xml << "    </" << kMetadataPrefix << ":labels>\n  </metadata>\n";
    xml << "  <memory unit='b'>" << spec.memory_bytes << "</memory>\n";
    if (spec.hugepages) xml << "  <memoryBacking>\n    <hugepages/>\n  </memoryBacking>\n";
    write_vcpus(xml, spec);
    xml << "  <os>\n"
        << "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        << "    <kernel>" << xml_escaped(spec.kernel) << "</kernel>\n"
        << "    <initrd>" << xml_escaped(spec.initrd) << "</initrd>\n"
        << "    <cmdline>" << xml_escaped(spec.cmdline) << "</cmdline>\n"
        << "  </os>\n";
    // The run request reaches the guest as a firmware file, not on the kernel command line:
    // no length limit, and nothing the guest's kernel would try to interpret.
    xml << "  <sysinfo type='fwcfg'>\n"
        << "    <entry name='" << kRequestFwCfgName << "' file='" << xml_escaped(spec.request_file) << "'/>\n"
        << "  </sysinfo>\n";
    // ACPI lets the guest power off (without it, it halts and the domain stays).
    xml << "  <features>\n    <acpi/>\n  </features>\n";
    xml << cpu_element(spec.cpu_model);
    xml << "  <clock offset='utc'/>\n";
    // Whatever ends the guest (power-off, reboot after a panic, crash) ends the domain.
    xml << "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n  <on_crash>destroy</on_crash>\n";
    xml << "  <devices>\n";
    xml << "    <controller type='usb' model='none'/>\n";
    if (spec.disk) write_disk(xml, *spec.disk);
    xml << "    <serial type='file'>\n      <source path='" << xml_escaped(spec.console_log) << "'/>\n"
        << "      <target port='0'/>\n    </serial>\n";
    xml << "    <channel type='file'>\n      <source path='" << xml_escaped(spec.results_file) << "'/>\n"
        << "      <target type='virtio' name='" << kResultsPortName << "'/>\n    </channel>\n";
    // No network interface unless the run has a network path: then one NIC on the
    // run's own bridge, which routes nowhere.
    if (spec.nic) {
        xml << "    <interface type='bridge'>\n      <source bridge='" << xml_escaped(spec.nic->bridge) << "'/>\n"
            << "      <target dev='" << xml_escaped(spec.nic->tap) << "'/>\n"
            << "      <model type='virtio'/>\n      <driver name='" << (spec.nic->vhost ? "vhost" : "qemu") << "'/>\n"
            << "    </interface>\n";
    }
    xml << "    <memballoon model='none'/>\n";
    xml << "  </devices>\n</domain>\n";
    return xml.str();
}

}  // namespace platbench::kvm
