/** The flags TOOLCHAIN.md lists for headless chromium on this machine and in CI. */
export declare const chromiumFlags: ReadonlyArray<string>
/** Unpacks the chromium of the npm package @sparticuz/chromium once and returns its path. */
export declare const bundledChromium: () => Promise<string>
/** The chromium binary to launch: STANDIN_CHROMIUM if set, else the npm package's. */
export declare const chromiumPath: () => Promise<string>
