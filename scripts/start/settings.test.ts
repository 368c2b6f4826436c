import { describe, expect, it } from "vitest";
import { loadSettings } from "./settings";

describe("pnpm start settings", () => {
  it("defaults to port 3000, ./.data, embedded database and the starwhale admin", () => {
    expect(loadSettings({})).toEqual({ PORT: 3000, DATA_DIR: "./.data", SW_ADMIN_USER: "starwhale" });
  });

  it("treats empty variables as unset", () => {
    expect(loadSettings({ PORT: "", DATABASE_URL: "", SW_ADMIN_PASSWORD: "" })).toEqual({
      PORT: 3000,
      DATA_DIR: "./.data",
      SW_ADMIN_USER: "starwhale",
    });
  });

  it("reads every setting", () => {
    expect(
      loadSettings({
        PORT: "8080",
        DATA_DIR: "/srv/swhub",
        DATABASE_URL: "postgres://u@db/swhub",
        REDIS_URL: "redis://cache:6379",
        SW_ADMIN_USER: "root",
        SW_ADMIN_PASSWORD: "long enough",
      }),
    ).toEqual({
      PORT: 8080,
      DATA_DIR: "/srv/swhub",
      DATABASE_URL: "postgres://u@db/swhub",
      REDIS_URL: "redis://cache:6379",
      SW_ADMIN_USER: "root",
      SW_ADMIN_PASSWORD: "long enough",
    });
  });

  it("names a bad setting in one line", () => {
    expect(() => loadSettings({ PORT: "abc" })).toThrow('invalid setting PORT="abc": expected a port number');
    expect(() => loadSettings({ PORT: "70000" })).toThrow(/^invalid setting PORT="70000": /);
    expect(() => loadSettings({ REDIS_URL: "localhost:6379" })).toThrow(
      "invalid setting REDIS_URL: expected a redis:// URL",
    );
  });

  it("never repeats a password or URL in an error", () => {
    expect(() => loadSettings({ SW_ADMIN_PASSWORD: "hunter2" })).toThrow(
      "invalid setting SW_ADMIN_PASSWORD: must have at least 8 characters",
    );
    expect(() => loadSettings({ DATABASE_URL: "mysql://root:secret@db" })).toThrow(
      "invalid setting DATABASE_URL: expected a postgres:// URL",
    );
  });
});
