import { defineConfig } from "vite";

/** Where the dev server forwards `/api` (the all-in-one server's HTTP listener). */
const API_TARGET = "http://127.0.0.1:8080";

export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": { target: API_TARGET, changeOrigin: false },
    },
  },
});
