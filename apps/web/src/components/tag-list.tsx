import { chipClass } from "./ui";

/** Tags as chips; `latest` and `vN` are the system's, shown quieter than the team's own. */
export function TagList({ tags }: { tags: string[] }) {
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Tags">
      {tags.map((tag) => (
        <li
          key={tag}
          className={tag === "latest" || /^v\d+$/.test(tag) ? `${chipClass} text-muted` : chipClass}
        >
          {tag}
        </li>
      ))}
    </ul>
  );
}
