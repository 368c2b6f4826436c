import { describe, expect, it } from "vitest";
import { readCookie, serializeCookie } from "./cookies";

describe("cookies", () => {
  it("finds one cookie among several, decoding its value", () => {
    expect(readCookie("theme=dark; sw_session=a%2Bb; other=1", "sw_session")).toBe("a+b");
    expect(readCookie("sw_session_old=x", "sw_session")).toBeUndefined();
    expect(readCookie(null, "sw_session")).toBeUndefined();
  });

  it("writes an HttpOnly, SameSite=Lax cookie for the whole site, Secure only when asked", () => {
    const expires = new Date("2030-01-02T03:04:05Z");
    expect(serializeCookie("sw_session", "tok", { expires, secure: false })).toBe(
      "sw_session=tok; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; SameSite=Lax",
    );
    expect(serializeCookie("sw_session", "tok", { expires, secure: true })).toMatch(/; Secure$/);
  });
});
