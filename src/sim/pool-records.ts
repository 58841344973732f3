/**
 * Field values a real XCP-ng 8.3 pool shows for hosts, VMs and guest metrics, so records have realistic
 * content and size (a snapshot's `snapshot_metadata` of several KiB follows from them).
 */
import type { DbValue } from "./schema";
import { versionAtLeast } from "./version";
import type { Rng } from "./rng";
import type { VmSpec } from "./pool-builder";

export type GuestOs = "debian" | "ubuntu" | "rhel" | "windows" | "dom0";

export function hostFields(name_label: string, address: string, xapiVersion: string): Record<string, DbValue> {
  const modern = versionAtLeast(xapiVersion, "22.9.0");
  return {
    name_label, name_description: "Default install", hostname: name_label, address, enabled: true,
    API_version_major: 2, API_version_minor: modern ? 21 : 12, API_version_vendor: "XenSource",
    software_version: {
      product_version: modern ? "8.3.0" : "7.6.0", product_version_text: modern ? "8.3" : "7.6", product_brand: "XCP-ng",
      platform_name: "XCP", platform_version: modern ? "3.4.0" : "2.5.0", build_number: modern ? "cloud" : "release/ely/master/58",
      // `xapi` is the API major.minor; the full build is `xapi_build` since xapi 22.9 (reference §0). An old
      // simulated version has no xapi_build, so its version string goes in `xapi`.
      xapi: modern ? "1.20" : xapiVersion, ...(modern ? { xapi_build: xapiVersion } : {}), xen: modern ? "4.17.5-15" : "4.7.6-6.6",
      linux: modern ? "4.19.0+1" : "4.4.0+10", hostname: name_label, date: "2026-01-05", dbv: "2024.0911", is_preview_release: "false",
    },
    other_config: { agent_start_time: "1767600000.", boot_time: "1767599000.", iscsi_iqn: `iqn.2026-01.com.example:${name_label}` },
    capabilities: ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_32p", "hvm-3.0-x86_64"],
    cpu_info: { cpu_count: "16", socket_count: "1", vendor: "GenuineIntel", speed: "2394.374", modelname: "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", family: "6", model: "85", stepping: "7" },
    sched_policy: "credit", memory_overhead: 1234173952, bios_strings: { "bios-vendor": "American Megatrends Inc.", "system-manufacturer": "Supermicro" },
    license_params: { restrict_vmss: "false", restrict_checkpoint: "false" }, edition: "xcp-ng", ssl_legacy: false, tls_verification_enabled: true,
  };
}

const OS_TABLE: Readonly<Record<Exclude<GuestOs, "dom0">, { name: string; distro: string; major: string; minor: string; uname: string; template: string }>> = {
  debian: { name: "Debian GNU/Linux 12 (bookworm)", distro: "debian", major: "12", minor: "8", uname: "6.1.0-28-amd64", template: "Debian Bookworm 12" },
  ubuntu: { name: "Ubuntu 24.04.1 LTS", distro: "ubuntu", major: "24", minor: "04", uname: "6.8.0-49-generic", template: "Ubuntu Noble Numbat 24.04" },
  rhel: { name: "Rocky Linux 9.5 (Blue Onyx)", distro: "rocky", major: "9", minor: "5", uname: "5.14.0-503.14.1.el9_5.x86_64", template: "Rocky Linux 9" },
  windows: { name: "Microsoft Windows Server 2022 Standard|C:\\Windows|\\Device\\Harddisk0\\Partition2", distro: "windows", major: "10", minor: "0", uname: "", template: "Windows Server 2022 (64-bit)" },
};

/** VM_guest_metrics as the guest agent reports it; Windows tools announce VSS (feature-quiesce). */
export function guestMetricsFor(os: GuestOs, rng: Rng): Record<string, DbValue> {
  if (os === "dom0") return { os_version: {}, PV_drivers_version: {}, networks: {}, other: {}, live: true, last_updated: new Date(0) };
  const info = OS_TABLE[os];
  const ip = `10.0.${rng.int(250) + 1}.${rng.int(250) + 2}`;
  const windows = os === "windows";
  return {
    os_version: { name: info.name, distro: info.distro, major: info.major, minor: info.minor, ...(info.uname ? { uname: info.uname } : {}) },
    PV_drivers_version: windows ? { major: "9", minor: "4", micro: "0", build: "146" } : { major: "8", minor: "4", micro: "0", build: "1" },
    PV_drivers_up_to_date: true, PV_drivers_detected: true, live: true, can_use_hotplug_vbd: "yes", can_use_hotplug_vif: "yes",
    networks: { "0/ip": ip, "0/ipv4/0": ip, "0/ipv6/0": `fe80::${rng.hex(4)}:${rng.hex(4)}` },
    other: windows
      ? { "feature-shutdown": "1", "feature-suspend": "1", "feature-poweroff": "1", "feature-reboot": "1", "feature-vcpu-hotplug": "1", "feature-snapshot": "1", "feature-quiesce": "1", "has-vendor-device": "1", "platform-feature-multiprocessor-suspend": "1" }
      : { "feature-shutdown": "1", "feature-suspend": "1", "feature-poweroff": "1", "feature-reboot": "1", "feature-vcpu-hotplug": "1", "feature-balloon": "1", "has-vendor-device": "0", "platform-feature-multiprocessor-suspend": "1" },
    memory: {}, disks: {}, last_updated: new Date(Date.UTC(2026, 0, 5, 8, 1)), other_config: {},
  };
}

const RECOMMENDATIONS =
  '<restrictions><restriction field="memory-static-max" max="1649267441664"/><restriction field="vcpus-max" max="32"/>' +
  '<restriction field="has-vendor-device" value="false"/><restriction field="allow-gpu-passthrough" value="1"/>' +
  '<restriction field="allow-vgpu" value="1"/><restriction field="allow-network-sriov" value="1"/>' +
  '<restriction property="number-of-vbds" max="255"/><restriction property="number-of-vifs" max="7"/></restrictions>';

/** Every VM field a provisioned HVM guest has (or a control domain, for os "dom0"). */
export function vmFields(spec: VmSpec, rng: Rng): Record<string, DbValue> {
  const os = spec.os ?? "debian";
  const dom0 = os === "dom0";
  const windows = os === "windows";
  const info = dom0 ? undefined : OS_TABLE[os];
  const vcpus = spec.vcpus ?? 2;
  return {
    name_label: spec.name_label, name_description: spec.name_description ?? (dom0 ? "The domain which manages physical devices and manages other domains" : ""),
    user_version: 1, is_a_template: spec.template ?? false, memory_overhead: Math.ceil(spec.memory / 128), memory_target: spec.memory,
    memory_static_max: spec.memory, memory_dynamic_max: spec.memory, memory_dynamic_min: spec.memory, memory_static_min: dom0 ? spec.memory : Math.min(spec.memory, 512 * 1024 * 1024),
    VCPUs_params: {}, VCPUs_max: vcpus, VCPUs_at_startup: vcpus,
    actions_after_shutdown: "destroy", actions_after_reboot: "restart", actions_after_crash: "restart", actions_after_softreboot: "soft_reboot",
    PV_bootloader: "", PV_kernel: "", PV_ramdisk: "", PV_args: "", PV_bootloader_args: "", PV_legacy_args: "",
    HVM_boot_policy: dom0 ? "" : "BIOS order", HVM_boot_params: dom0 ? {} : { order: "cdn", firmware: windows ? "uefi" : "bios" }, HVM_shadow_multiplier: 1,
    platform: dom0 ? {} : { timeoffset: "0", "device-model": "qemu-upstream-uefi", videoram: "8", hpet: "true", secureboot: windows ? "true" : "false", vga: "std", apic: "true", viridian: windows ? "true" : "false", nx: "true", acpi: "1", pae: "true", cores_per_socket: String(Math.min(vcpus, 2)), ...(windows ? { viridian_time_ref_count: "true", viridian_reference_tsc: "true", viridian_apic_assist: "true", viridian_crash_ctl: "true", viridian_stimer: "true", device_id: "0002" } : {}) },
    PCI_bus: "", other_config: dom0 ? {} : { ...(info ? { base_template_name: info.template } : {}), mac_seed: rng.uuid(), "install-methods": "cdrom,nfs,http,ftp", linux_template: windows ? "false" : "true", import_task: "", ...(spec.other_config ?? {}) },
    domarch: "", last_boot_CPU_flags: dom0 ? {} : { vendor: "GenuineIntel", features: "1fcbfbff-f7fa3223-2d93fbff-00000523-00000001-f1bf07ab-00000000-00000000-00101004-bc000400-00000000-00000000-00000000-00000000-00000000-00000000-00000000-00000000-00000000-00000000" },
    is_control_domain: false, recommendations: dom0 ? "" : RECOMMENDATIONS,
    xenstore_data: dom0 ? {} : { "vm-data": "", "vm-data/mmio-hole-size": "268435456" },
    tags: [...(spec.tags ?? [])], blocked_operations: { ...(spec.blocked_operations ?? {}) },
    bios_strings: dom0 ? {} : { "bios-vendor": "Xen", "bios-version": "", "system-manufacturer": "Xen", "system-product-name": "HVM domU", "system-version": "", "system-serial-number": "", "baseboard-manufacturer": "", "enclosure-asset-tag": "", "hp-rombios": "", oem: "Xen", "oem-1": "Xen", "oem-2": "MS_VM_CERT/SHA1/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d" },
    suspend_SR: spec.suspend_SR ?? "OpaqueRef:NULL", hardware_platform_version: dom0 ? 0 : 2, has_vendor_device: windows,
    generation_id: dom0 ? "" : `${rng.int(1 << 30)}:${rng.int(1 << 30)}`, domain_type: dom0 ? "pv" : "hvm",
    NVRAM: windows ? { EFI_VARS: `${rng.hex(64)}==` } : {}, reference_label: dom0 || !info ? "" : info.template.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
  };
}
