import { invalidInput } from "@swhub/shared/errors";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import { planInstall as planRestore } from "../restore/plan";
import { imageEnvPrefix, imageWorkdir } from "./plan";

/*
 * What a venv runtime's environment is made of, as restore decides it (spec §4.1, `restore/plan.ts`, which also
 * refuses bundle paths that leave the bundle), seen from inside the image: native files go where a restore in a
 * container puts them, and the pip steps become one `pip install`. Commands cannot run without running the
 * image, so they are reported, not run.
 */

export interface InstallPlan {
  /** pip arguments after `install`: `-r FILE`, wheel paths, requirement specs (files inside `bundleDir`). */
  requirements: string[];
  /** Files or directories to copy: `src` inside the bundle, `dest` absolute in the image. */
  nativeFiles: { src: string; dest: string }[];
  /** Things the user should know were not done. */
  notes: string[];
}

export function planInstall(manifest: RuntimeManifest, bundleDir: string): InstallPlan {
  if (manifest.environment.mode === "conda") {
    throw invalidInput(
      "conda runtimes cannot be dockerized by the native builder yet",
      "use --builder buildx where a Docker daemon runs, or build the runtime in venv mode",
    );
  }
  const steps = planRestore(manifest, {
    workdir: bundleDir,
    prefix: imageEnvPrefix,
    container: true,
    cwd: imageWorkdir,
    runCommands: false,
  });
  const plan: InstallPlan = { requirements: [], nativeFiles: [], notes: [] };
  const commands: string[] = [];
  for (const step of steps) {
    if (step.kind === "pip") {
      for (const target of step.targets) {
        if (target.kind === "requirement") plan.requirements.push(target.spec);
        else if (target.kind === "wheel") plan.requirements.push(target.path);
        else plan.requirements.push("-r", target.path);
      }
    } else if (step.kind === "native-file") {
      plan.nativeFiles.push({ src: step.src, dest: step.dest });
    } else if (step.kind === "skip" && step.what.startsWith("command `")) {
      commands.push(step.what.slice("command `".length, -1));
    } else if (step.kind === "skip") {
      plan.notes.push(`${step.what} skipped: ${step.reason}`);
    }
  }
  if (commands.length > 0) {
    plan.notes.unshift(
      `the runtime's commands (${commands.join("; ")}) were not run: the native builder never runs the image; use --builder buildx to run them`,
    );
  }
  return plan;
}
