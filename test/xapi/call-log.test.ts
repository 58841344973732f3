import { describeCall } from "../../src/xapi/call-log";
import { XapiError, describeXapiError } from "../../src/xapi";

describe("call log lines", () => {
  it("redact the password of a login", () => {
    const line = describeCall("session.login_with_password", ["root", "hunter2", "1.0", "xsnap"], new Set());
    expect(line).toBe('session.login_with_password("root", "<redacted>", "1.0", "xsnap")');
  });

  it("redact session refs wherever they appear", () => {
    const line = describeCall("VM.snapshot", ["OpaqueRef:secret-session", "OpaqueRef:vm", ["OpaqueRef:secret-session"]], new Set(["OpaqueRef:secret-session"]));
    expect(line).not.toContain("secret-session");
    expect(line).toContain("OpaqueRef:vm");
  });
});

describe("XapiError", () => {
  it("reads a wire ErrorDescription, code first", () => {
    expect(XapiError.fromWire(["VM_BAD_POWER_STATE", "OpaqueRef:v", "running", "halted"], "VM.checkpoint")).toMatchObject({
      code: "VM_BAD_POWER_STATE", params: ["OpaqueRef:v", "running", "halted"], method: "VM.checkpoint",
    });
  });

  it("describes itself in one line with a hint for codes users meet", () => {
    expect(new XapiError("VM_BAD_POWER_STATE", ["OpaqueRef:v", "running", "halted"], "VM.checkpoint").describe()).toBe(
      "VM_BAD_POWER_STATE(OpaqueRef:v, running, halted) from VM.checkpoint: the VM must be running but is halted",
    );
  });

  it("is described the same way where only code and params are known (an apply step's failure)", () => {
    expect(describeXapiError("SR_FULL", ["1000", "\u001b[2J"])).toBe("SR_FULL(1000, \\u001b[2J): the SR has not enough free space");
  });

  it("escapes control characters in the pool's params and cuts long ones: nothing it quotes can drive a terminal", () => {
    expect(new XapiError("IMPORT_ERROR", ["BAD_TAR at \u001b[2J\u0000x\u009b"], "VM.import").describe()).toMatch(/^IMPORT_ERROR\(BAD_TAR at \\u001b\[2J\\u0000x\\u009b\) from VM\.import: /);
    const long = new XapiError("INTERNAL_ERROR", ["a".repeat(300), "b".repeat(301)], "VM.import").describe();
    expect(long).toMatch(new RegExp(`^INTERNAL_ERROR\\(${"a".repeat(300)}, ${"b".repeat(300)}… \\(1 more characters\\)\\) from VM\\.import: `));
  });
});
