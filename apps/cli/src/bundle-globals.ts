/**
 * Globals the swcli bundle replaces (esbuild `inject`, see build.mjs); the source run through tsx keeps Node's own.
 *
 * `FormData`: swcli never sends form data, but tRPC's client asks `body instanceof FormData` on every call, and the
 * first touch of Node's `FormData` global loads undici (~55 ms, a tenth of a whole `runtime copy`). Nothing is
 * ever an instance of this class, which is the right answer for swcli.
 */
class NeverFormData {}

export { NeverFormData as FormData };
