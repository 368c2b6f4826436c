export declare function buildCli(options?: { outdir?: string }): Promise<{ outdir: string; inputs: number }>;
