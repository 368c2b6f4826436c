CREATE TABLE "blob_uploads" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" bigint NOT NULL,
	"created_by" bigint NOT NULL,
	"digest" text NOT NULL,
	"size" bigint NOT NULL,
	"offset" bigint DEFAULT 0 NOT NULL,
	"writer" text,
	"writer_since" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_blobs" (
	"project_id" bigint NOT NULL,
	"digest" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_blobs_project_id_digest_pk" PRIMARY KEY("project_id","digest")
);
--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "description" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "runtime_versions" ADD COLUMN "files" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "runtime_versions" ADD COLUMN "runtime_yaml" text;--> statement-breakpoint
ALTER TABLE "runtime_versions" ADD COLUMN "lock_files" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "blob_uploads" ADD CONSTRAINT "blob_uploads_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blob_uploads" ADD CONSTRAINT "blob_uploads_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_blobs" ADD CONSTRAINT "project_blobs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_blobs" ADD CONSTRAINT "project_blobs_digest_blobs_digest_fk" FOREIGN KEY ("digest") REFERENCES "public"."blobs"("digest") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "blob_uploads_project_id_index" ON "blob_uploads" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "blob_uploads_updated_at_index" ON "blob_uploads" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "project_blobs_digest_index" ON "project_blobs" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "runtime_versions_live_idx" ON "runtime_versions" USING btree ("runtime_id","alias_seq" DESC NULLS LAST) WHERE "runtime_versions"."removed_at" IS NULL;--> statement-breakpoint
CREATE INDEX "runtime_versions_bundle_digest_index" ON "runtime_versions" USING btree ("bundle_digest");