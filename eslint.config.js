// Type-aware linting: the rules that catch floating promises and non-exhaustive switches are
// the ones a socket daemon and an error-code union need most.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "src/gen/", "scratch/", "bin/", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allow: [{ from: "lib", name: "BigInt" }] }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", name: ["describe", "it", "test", "before", "after"], package: "node:test" }] },
      ],
      // Arrow callbacks that forward to a void call (socket handlers, timers) read better without braces.
      "@typescript-eslint/no-confusing-void-expression": "off",
      // Handlers share one async signature whether or not a given one awaits.
      "@typescript-eslint/require-await": "off",
      // Tests assert on thrown values with assert.throws matchers; non-null assertions there are deliberate.
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[object.name='process'][property.name='exit']", message: "only the CLI may exit the process" },
      ],
    },
  },
);
