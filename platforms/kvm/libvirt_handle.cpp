#include "libvirt_handle.hpp"

#include <libvirt/virterror.h>

#include <cstdlib>
#include <mutex>

namespace platbench::kvm {
namespace {

// libvirt prints every error on stderr by default; platbench reports them itself.
void ignore_error(void*, virErrorPtr) {}

void silence_libvirt() {
    static std::once_flag once;
    std::call_once(once, [] { virSetErrorFunc(nullptr, ignore_error); });
}

[[noreturn]] void throw_last_error(const std::string& what) {
    const virErrorPtr error = virGetLastError();
    const std::string detail = error && error->message ? error->message : "unknown libvirt error";
    const int code = error ? error->code : VIR_ERR_INTERNAL_ERROR;
    throw LibvirtError(what + ": " + detail, code);
}

}  // namespace

std::string version_text(unsigned long long version) {
    return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." +
           std::to_string(version % 1000);
}

bool Domain::active() const {
    const int active = virDomainIsActive(domain_.get());
    if (active >= 0) return active == 1;
    const virErrorPtr error = virGetLastError();
    if (error && error->code == VIR_ERR_NO_DOMAIN) return false;
    throw_last_error("cannot ask libvirt about domain " + name());
}

void Domain::destroy() const {
    if (virDomainDestroy(domain_.get()) == 0) return;
    const virErrorPtr error = virGetLastError();
    if (error && (error->code == VIR_ERR_NO_DOMAIN || error->code == VIR_ERR_OPERATION_INVALID)) return;
    throw_last_error("cannot destroy domain " + name());
}

std::optional<std::string> Domain::metadata(const std::string& uri) const {
    char* xml = virDomainGetMetadata(domain_.get(), VIR_DOMAIN_METADATA_ELEMENT, uri.c_str(), 0);
    if (xml == nullptr) return std::nullopt;
    std::string text = xml;
    std::free(xml);
    return text;
}

const std::string& Domain::name_cache() const {
    if (name_.empty()) {
        const char* name = virDomainGetName(domain_.get());
        name_ = name ? name : "?";
    }
    return name_;
}

Connection::Connection(const std::string& uri) {
    silence_libvirt();
    connection_.reset(virConnectOpen(uri.c_str()));
    if (!connection_) throw_last_error("cannot connect to libvirt at " + uri);
}

std::string Connection::uri() const {
    char* uri = virConnectGetURI(connection_.get());
    if (uri == nullptr) throw_last_error("cannot read libvirt's URI");
    std::string text = uri;
    std::free(uri);
    return text;
}

std::string Connection::capabilities() const {
    char* xml = virConnectGetCapabilities(connection_.get());
    if (xml == nullptr) throw_last_error("cannot read libvirt's capabilities");
    std::string text = xml;
    std::free(xml);
    return text;
}

std::string Connection::library_version() const {
    unsigned long version = 0;
    if (virConnectGetLibVersion(connection_.get(), &version) != 0) throw_last_error("cannot read libvirt's version");
    return version_text(version);
}

std::string Connection::hypervisor_version() const {
    unsigned long version = 0;
    if (virConnectGetVersion(connection_.get(), &version) != 0) throw_last_error("cannot read the hypervisor's version");
    return version_text(version);
}

std::string Connection::driver_type() const {
    const char* type = virConnectGetType(connection_.get());
    if (type == nullptr) throw_last_error("cannot read libvirt's driver type");
    return type;
}

int Connection::host_cpus() const {
    virNodeInfo info{};
    if (virNodeGetInfo(connection_.get(), &info) != 0) throw_last_error("cannot read the host's CPUs from libvirt");
    return static_cast<int>(info.cpus);
}

Domain Connection::create_transient(const std::string& xml) const {
    virDomainPtr domain = virDomainCreateXML(connection_.get(), xml.c_str(), VIR_DOMAIN_NONE);
    if (domain == nullptr) throw_last_error("libvirt refused to start the VM");
    return Domain(domain);
}

std::vector<Domain> Connection::all_domains() const {
    virDomainPtr* domains = nullptr;
    const int count = virConnectListAllDomains(connection_.get(), &domains, 0);
    if (count < 0) throw_last_error("cannot list libvirt's domains");
    std::vector<Domain> list;
    for (int i = 0; i < count; ++i) list.emplace_back(domains[i]);
    std::free(domains);
    return list;
}

}  // namespace platbench::kvm
