// Type-aware lint: @pulumi/eslint-plugin needs type information to spot Outputs in template literals.
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import globals from "globals";

export default tseslint.config(
    // worker/*.js and scripts/*.js are linted (blocks below); other JavaScript is generated or vendored.
    {
        ignores: [
            "node_modules/**",
            "bin/**",
            "**/*.js",
            "!worker/*.js",
            "!scripts/*.js",
            "**/*.mjs",
            // Programs vendored from pulumi/examples, kept as their authors wrote them.
            "tests/fixtures/peers/**",
        ],
    },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: {
                projectService: true,
                tsconfigRootDir: import.meta.dirname,
            },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
            ],
            "@typescript-eslint/no-floating-promises": "error",
        },
    },
    {
        // Plain-JavaScript entry points that must run before any TypeScript loader (scripts/node-ts.js).
        files: ["scripts/*.js"],
        languageOptions: { sourceType: "commonjs", globals: { ...globals.node } },
        rules: {
            "no-undef": "error",
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        // The edge worker: an ES module on the Workers runtime (type-checked by worker/tsconfig.json).
        files: ["worker/*.js"],
        languageOptions: {
            sourceType: "module",
            // Service-worker globals plus what the Workers runtime adds (AbortController is missing from
            // the serviceworker list of the globals package).
            globals: {
                ...globals.serviceworker,
                ...globals.es2021,
                AbortController: "readonly",
                AbortSignal: "readonly",
            },
        },
        rules: {
            "no-undef": "error",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
            ],
        },
    },
    {
        files: ["tests/**/*.ts", "policy/tests/**/*.ts"],
        rules: {
            "@typescript-eslint/no-unused-expressions": "off",
        },
    },
);
