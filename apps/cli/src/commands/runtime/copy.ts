import { defineCommand } from "../../command";
import { arg, flag, list, text } from "../../parse/options";

export interface CopyOptions {
  /** Runtime URI with a version (default latest). */
  src: string;
  /** Runtime URI (renames), project URI (keeps the name), or `.` for the default local project. */
  dest: string;
  /** Overwrite the destination version and move tags that are already used there. */
  force: boolean;
  /** The local project for a short DEST when copying from a server. */
  destLocalProject?: string;
  /** Source tags not to copy; `latest` and `vN` are never copied. */
  ignoreTags: string[];
}

export const copyCommand = defineCommand({
  name: "copy",
  aliases: ["cp"],
  summary: "Copy a runtime version between instances and projects",
  args: {
    src: arg("src", "runtime URI to copy from"),
    dest: arg("dest", "runtime URI, project URI or . to copy to"),
  },
  options: {
    force: flag("-f, --force", "overwrite the destination if it exists"),
    destLocalProject: text(
      "-dlp, --dest-local-project <project>",
      "local project to copy into (server -> local)",
    ),
    ignoreTags: list("-i, --ignore-tag <tag>", "don't copy this tag; repeatable"),
  },
  examples: [
    "swcli runtime cp cloud://pre-k8s/project/mnist/mnist-cloud/version/ge3tkylgha2tenrtmftdgyjzni3dayq local/project/myproject/mnist-local",
    "swcli runtime cp cloud://pre-k8s/project/runtime/mnist/mnist-cloud/version/ge3tkylgha2tenrtmftdgyjzni3dayq .",
    "swcli runtime cp cloud://pre-k8s/project/mnist/mnist-cloud/version/ge3tkylgha2tenrtmftdgyjzni3dayq . -dlp myproject",
    "swcli runtime cp mnist-local/version/latest cloud://pre-k8s/project/mnist/mnist-cloud",
    "swcli runtime cp mnist-local/version/latest pre-k8s/project/mnist",
    "swcli runtime cp pytorch cloud://cloud.starwhale.cn/project/starwhale:public --ignore-tag t1",
  ],
  parse: (raw): CopyOptions => raw,
  handler: () => import("../../handlers/runtime/copy").then((module) => module.copy),
});
