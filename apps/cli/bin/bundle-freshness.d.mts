export declare const metaFileName: string;
export declare const entryFileName: string;
export declare function hashFile(path: string): string;
export declare function isBundleFresh(distDir: string): boolean;
