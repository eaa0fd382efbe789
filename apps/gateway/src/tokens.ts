export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');
export interface GatewayOptions {
  introspection: boolean;
}
