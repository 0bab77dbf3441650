// Small owning wrappers of the libvirt C API objects the platform uses, turning
// failures into exceptions that carry libvirt's own message.
#pragma once

#include <libvirt/libvirt.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace platbench::kvm {

class LibvirtError : public std::runtime_error {
public:
    LibvirtError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }   // virErrorNumber, e.g. VIR_ERR_NO_DOMAIN
private:
    int code_;
};

// libvirt's version numbers (major * 1000000 + minor * 1000 + release) as "9.0.0".
std::string version_text(unsigned long long version);

class Domain {
public:
    explicit Domain(virDomainPtr domain) : domain_(domain) {}
    const std::string& name() const { return name_cache(); }
    // False once the domain is gone (a transient domain vanishes when it stops).
    bool active() const;
    // Stops the VM at once. A domain that is already gone is not an error.
    void destroy() const;
    // The platbench <metadata> element, or nothing when the domain has none.
    std::optional<std::string> metadata(const std::string& uri) const;

private:
    const std::string& name_cache() const;
    struct Freer {
        void operator()(virDomainPtr d) const { virDomainFree(d); }
    };
    std::unique_ptr<virDomain, Freer> domain_;
    mutable std::string name_;
};

class Connection {
public:
    // Throws LibvirtError when libvirt cannot be reached at `uri`.
    explicit Connection(const std::string& uri);

    std::string uri() const;
    std::string capabilities() const;
    std::string library_version() const;
    std::string hypervisor_version() const;   // QEMU's, for the qemu driver
    std::string driver_type() const;          // "QEMU", "TEST"
    int host_cpus() const;

    // Starts a transient domain: it disappears when it stops. Throws LibvirtError.
    Domain create_transient(const std::string& xml) const;
    std::vector<Domain> all_domains() const;

private:
    struct Closer {
        void operator()(virConnectPtr c) const { virConnectClose(c); }
    };
    std::unique_ptr<virConnect, Closer> connection_;
};

}  // namespace platbench::kvm
