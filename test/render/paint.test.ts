import { ansi, choosePaint, plain } from "../../src/render/paint";

describe("choosePaint", () => {
  it.each([
    ["a terminal gets colour", { noColorFlag: false, env: {}, isTTY: true }, ansi],
    ["NO_COLOR turns colour off", { noColorFlag: false, env: { NO_COLOR: "1" }, isTTY: true }, plain],
    ["an empty NO_COLOR does not count (no-color.org)", { noColorFlag: false, env: { NO_COLOR: "" }, isTTY: true }, ansi],
    ["--no-color turns colour off", { noColorFlag: true, env: {}, isTTY: true }, plain],
    ["a pipe or file gets no colour", { noColorFlag: false, env: {}, isTTY: false }, plain],
  ])("%s", (_why, ctx, expected) => {
    expect(choosePaint(ctx)).toBe(expected);
  });
});
