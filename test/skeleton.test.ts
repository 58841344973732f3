import { formatDiagnostic, error, asAddress } from "../src/model";

describe("diagnostics", () => {
  it("names the resource address in the one-line form", () => {
    expect(formatDiagnostic(error("retained_snapshots must be between 1 and 10 (got 11)", asAddress("xapi_snapshot.web"))))
      .toBe("Error: xapi_snapshot.web: retained_snapshots must be between 1 and 10 (got 11)");
  });
});
