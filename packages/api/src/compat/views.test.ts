import { pageInfoSchema } from "@swhub/shared/starwhale-api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { manifestImage } from "../services/runtime-locate";
import { unmanglePath } from "./routes";
import { toPageInfo } from "./views";

const page = (total: number, pageNum: number, size: number) => ({
  items: Array.from({ length: Math.max(0, Math.min(size, total - (pageNum - 1) * size)) }, (_, i) => i),
  total,
  page: pageNum,
  size,
});

describe("toPageInfo", () => {
  it("fills every PageHelper field for a middle page", () => {
    const info = toPageInfo(page(95, 5, 10), String);
    expect(pageInfoSchema(z.string()).parse(info)).toEqual({
      total: 95,
      size: 10,
      list: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
      pageNum: 5,
      pageSize: 10,
      pages: 10,
      prePage: 4,
      nextPage: 6,
      hasPreviousPage: true,
      hasNextPage: true,
      startRow: 41,
      endRow: 50,
      isFirstPage: false,
      isLastPage: false,
      navigatePages: 8,
      navigatepageNums: [1, 2, 3, 4, 5, 6, 7, 8],
      navigateFirstPage: 1,
      navigateLastPage: 8,
    });
  });

  it("keeps the pager window inside the pages near the end, and counts a short last page", () => {
    const info = toPageInfo(page(95, 10, 10), String);
    expect(info).toMatchObject({
      size: 5,
      startRow: 91,
      endRow: 95,
      nextPage: 0,
      hasNextPage: false,
      isLastPage: true,
    });
    expect(info.navigatepageNums).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("answers an empty result and a page past the end with size 0", () => {
    expect(toPageInfo(page(0, 1, 20), String)).toMatchObject({
      total: 0,
      size: 0,
      list: [],
      pages: 0,
      startRow: 0,
      endRow: 0,
      isFirstPage: true,
      isLastPage: true,
      navigatepageNums: [],
      navigateFirstPage: 0,
      navigateLastPage: 0,
    });
    expect(toPageInfo(page(3, 2, 20), String)).toMatchObject({
      total: 3,
      size: 0,
      prePage: 1,
      hasNextPage: false,
    });
  });
});

describe("unmanglePath", () => {
  it("maps swcli 0.6.15's remove and recover paths onto the intended ones", () => {
    expect(
      unmanglePath("/api/v1/project/http://127.0.0.1:8082/project/1/ResourceType.runtime/wiretest"),
    ).toBe("/api/v1/project/1/runtime/wiretest");
    expect(
      unmanglePath(
        "/api/v1/project/https://hub.example.com/team/project/demo/ResourceType.runtime/mnist/recover",
      ),
    ).toBe("/api/v1/project/demo/runtime/mnist/recover");
    // A proxy or framework that folded the `//` changes nothing.
    expect(unmanglePath("/api/v1/project/http:/h:1/project/7/ResourceType.runtime/x")).toBe(
      "/api/v1/project/7/runtime/x",
    );
  });

  it("leaves every other path alone", () => {
    for (const path of [
      "/api/v1/project/1/runtime/wiretest",
      "/api/v1/project/http://h/project/1/ResourceType.model/x",
      "/api/v1/project/http://h/project/1/ResourceType.runtime/x/other",
      "/api/v1/project/demo",
    ]) {
      expect(unmanglePath(path)).toBe(path);
    }
  });
});

describe("manifestImage", () => {
  it("prefers the custom image, then the built-in one, then base_image", () => {
    const builtin = { fullname: "docker-registry.starwhale.cn/star-whale/base:0.3.4" };
    expect(
      manifestImage({ docker: { custom_run_image: "ghcr.io/me/img:1", builtin_run_image: builtin } }),
    ).toBe("ghcr.io/me/img:1");
    expect(manifestImage({ docker: { custom_run_image: "", builtin_run_image: builtin } })).toBe(
      builtin.fullname,
    );
    expect(manifestImage({ docker: null, base_image: "old/base:0.2" })).toBe("old/base:0.2");
    expect(manifestImage({})).toBe("");
  });
});
