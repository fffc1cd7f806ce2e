// Types for install.mjs (on-demand install of the llama test tools).
export declare function llamaToolsInstalled(): boolean;
export declare function ensureLlamaTools(options?: { log?: (text: string) => void }): Promise<{ ok: true } | { ok: false; reason: string }>;
