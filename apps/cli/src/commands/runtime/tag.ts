import { defineCommand } from "../../command";
import { UsageError } from "../../errors";
import { arg, flag, variadicArg } from "../../parse/options";

export interface TagOptions {
  runtime: string;
  /** Tags to add (or remove with `remove`); none lists the version's tags. */
  tags: string[];
  remove: boolean;
  /** Ignore errors such as removing a tag that doesn't exist. */
  quiet: boolean;
  /** Move a tag that another version holds (needed on servers). */
  forceAdd: boolean;
}

export const tagCommand = defineCommand({
  name: "tag",
  summary: "List, add or remove a runtime version's tags",
  args: {
    runtime: arg("runtime", "runtime URI"),
    tags: variadicArg("tags", "tags to add or remove; none lists the tags"),
  },
  options: {
    remove: flag("-r, --remove", "remove the tags instead of adding them"),
    quiet: flag("-q, --quiet", "ignore errors such as removing a tag that doesn't exist"),
    forceAdd: flag("-f, --force-add", "move a tag that another version already has"),
  },
  examples: [
    "swcli runtime tag pytorch                  # list the tags of the latest version",
    "swcli runtime tag mnist t1 t2",
    "swcli runtime tag mnist -r t1 t2",
    "swcli runtime tag cloud://cloud.starwhale.cn/project/public:starwhale/runtime/pytorch/version/latest t1 --force-add",
  ],
  parse(raw): TagOptions {
    if (raw.remove && raw.tags.length === 0) throw new UsageError("--remove needs the tags to remove");
    if (raw.remove && raw.forceAdd) throw new UsageError("--force-add and --remove can't be used together");
    return raw;
  },
  handler: () => import("../../handlers/runtime/tag").then((module) => module.tag),
});
