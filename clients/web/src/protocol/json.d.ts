// JSON modules (the golden vectors imported by tests) are typed as unknown: readers must
// validate their shape. Superseded by the real types if "resolveJsonModule" is enabled.
declare module "*.json" {
  const value: unknown;
  export default value;
}
