import { masterUrl } from "../../src/xapi/session";

describe("masterUrl (HOST_IS_SLAVE's parameter → where to log in)", () => {
  it.each([
    ["XAPI's bare IPv4 address keeps scheme and port", "https://10.0.0.5:8443", "10.0.0.7", "https://10.0.0.7:8443/"],
    ["a bare IPv6 address gets brackets", "https://[fd00::5]", "fd00::7", "https://[fd00::7]/"],
    ["a host name works the same", "https://xcp-host-2.lan", "xcp-host-1.lan", "https://xcp-host-1.lan/"],
    ["host:port (a simulated pool on one machine) moves the port too", "http://127.0.0.1:4000", "127.0.0.1:4001", "http://127.0.0.1:4001/"],
  ])("%s", (_why, current, address, expected) => {
    expect(masterUrl(new URL(current), address).href).toBe(expected);
  });
});
