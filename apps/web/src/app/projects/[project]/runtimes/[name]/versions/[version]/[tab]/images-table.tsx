import type { VersionInfo } from "@swhub/api/services/runtime-info";
import { CopyButton } from "~/components/copy-button";
import { tableClass, tdClass, thClass } from "~/components/ui";
import { formatDateTime } from "~/lib/format";

/** OCI images built from this version (`runtime_images`). */
export function ImagesTable({ images }: { images: VersionInfo["images"] }) {
  return (
    <section aria-labelledby="images-title" className="space-y-3">
      <h2 id="images-title" className="text-base font-semibold">
        Images
      </h2>
      {images.length === 0 ? (
        <p className="rounded-xl border border-dashed border-border bg-surface px-4 py-6 text-center text-sm text-muted">
          No image has been built from this version yet. "Build image" pushes one to this server&apos;s
          registry and records it here.
        </p>
      ) : (
        <div className="relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm">
          <table className={tableClass} aria-label="Images">
            <thead>
              <tr>
                <th className={thClass} scope="col">
                  Reference
                </th>
                <th className={thClass} scope="col">
                  Platforms
                </th>
                <th className={`${thClass} hidden md:table-cell`} scope="col">
                  Digest
                </th>
                <th className={thClass} scope="col">
                  Built
                </th>
              </tr>
            </thead>
            <tbody>
              {images.map((image) => (
                <tr key={image.reference}>
                  <td className={`${tdClass} font-mono text-xs`}>
                    <span className="break-all">{image.reference}</span>{" "}
                    <CopyButton
                      text={image.reference}
                      label={`Copy ${image.reference}`}
                      className="text-xs text-accent hover:underline"
                    />
                  </td>
                  <td className={`${tdClass} text-xs`}>{image.platforms.join(", ")}</td>
                  <td
                    className={`${tdClass} hidden max-w-48 truncate font-mono text-xs md:table-cell`}
                    title={image.digest}
                  >
                    {image.digest}
                  </td>
                  <td className={`${tdClass} whitespace-nowrap text-xs`}>
                    {formatDateTime(image.createdAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
