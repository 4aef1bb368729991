import { defineConfig, type Plugin } from "vite"

/**
 * Browsers refuse module scripts from file:// (their origin is opaque), so the site ships one
 * classic, deferred script: the bundle is an IIFE and the tag loses type="module" and crossorigin.
 */
const classicScript = (): Plugin => ({
  name: "standin-classic-script",
  enforce: "post",
  transformIndexHtml: {
    order: "post",
    handler: (html) =>
      html
        .replace(
          /<script type="module" crossorigin src="([^"]+)"><\/script>/g,
          '<script defer src="$1"></script>',
        )
        .replace(/<link rel="stylesheet" crossorigin href=/g, '<link rel="stylesheet" href='),
  },
})

export default defineConfig({
  base: "./",
  plugins: [classicScript()],
  build: {
    outDir: "dist/app",
    emptyOutDir: true,
    modulePreload: false,
    target: "es2022",
    rolldownOptions: {
      output: { format: "iife" },
    },
  },
})
