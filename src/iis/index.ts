/**
 * The IIS inventory: applicationHost.config files (plus server.json facts and the config file's
 * `inventory:` section) read into the typed model of src/model/iis.ts. See docs/iis-inventory.md.
 */
export { parseApplicationHostConfig, type ParsedApplicationHost } from './apphost.js';
export { parseBinding, type BindingResult } from './binding.js';
export { discoverConfigs, type DiscoveredConfig } from './discover.js';
export { parseIdentity, parseIdentityType } from './identity.js';
export {
  parseIisPathsSection,
  parseInventorySection,
  type InventoryConfig,
  type InventoryServerEntry,
  type SectionSource,
} from './inventory-config.js';
export { loadInventory, readServerJson, type ServerFacts } from './load.js';
export { MAX_CONFIG_BYTES } from './xml.js';
