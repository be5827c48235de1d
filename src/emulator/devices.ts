// The device directory: devices seeded from an emulator option, each with a script of what it does when a
// campaign reaches it (deploy after a delay, fail with a reason, or never answer).
import { createHash } from 'node:crypto';
import type { Device } from '../api/release.js';
import { found } from './errors.js';
import { filterItems, parseListQuery } from './listing.js';
import { newId, timestamp } from './ids.js';
import type { DeviceScript, DeviceSeed } from './types.js';

export const DEVICE_FILTERS = [
  'id',
  'name',
  'device_class',
  'vendor_id',
  'firmware_checksum',
  'state',
  'created_at',
  'updated_at',
  'etag',
];

/** What a device does unless told otherwise: takes the update a second after the campaign reaches it. */
export const DEFAULT_DEVICE_SCRIPT: DeviceScript = { outcome: 'deploy', afterMs: 1000 };

/** The image a device runs before any campaign: not any image of the account. */
const FACTORY_CHECKSUM = createHash('sha256').update('factory image').digest('hex');

export interface DeviceRecord {
  id: string;
  name: string;
  deviceClass: string;
  vendorId: string;
  firmwareChecksum: string;
  script: DeviceScript;
  createdAt: string;
  updatedAt: string;
}

export class DeviceTable {
  private readonly devices = new Map<string, DeviceRecord>();

  seed(seeds: readonly DeviceSeed[]): DeviceRecord[] {
    const added: DeviceRecord[] = [];
    for (const seed of seeds) {
      for (let i = 0; i < seed.count; i++) {
        const now = timestamp();
        const device: DeviceRecord = {
          id: newId(),
          name: `${seed.namePrefix ?? 'device'}-${this.devices.size + 1}`,
          deviceClass: seed.deviceClass,
          vendorId: seed.vendorId,
          firmwareChecksum: FACTORY_CHECKSUM,
          script: seed.script ?? DEFAULT_DEVICE_SCRIPT,
          createdAt: now,
          updatedAt: now,
        };
        this.devices.set(device.id, device);
        added.push(device);
      }
    }
    return added;
  }

  all(): DeviceRecord[] {
    return [...this.devices.values()];
  }

  device(id: string): DeviceRecord {
    return found(this.devices.get(id), 'Device', id);
  }

  setScript(id: string, script: DeviceScript): void {
    this.device(id).script = script;
  }

  /** A campaign's `device_filter` (`device_class__eq=…&vendor_id__eq=…`): 400 on a field the list cannot filter. */
  matching(deviceFilter: string): DeviceRecord[] {
    const { filters } = parseListQuery(new URLSearchParams({ filter: deviceFilter }), DEVICE_FILTERS);
    const byView = new Map(this.all().map((d) => [deviceView(d), d]));
    return filterItems([...byView.keys()], filters).map((view) => byView.get(view)!);
  }

  /** The device now runs the image with this SHA-256. */
  deployed(id: string, sha256Hex: string): void {
    const device = this.device(id);
    if (device.firmwareChecksum === sha256Hex) return;
    device.firmwareChecksum = sha256Hex;
    device.updatedAt = timestamp();
  }
}

export function deviceView(device: DeviceRecord): Device {
  return {
    object: 'device',
    id: device.id,
    name: device.name,
    device_class: device.deviceClass,
    vendor_id: device.vendorId,
    firmware_checksum: device.firmwareChecksum,
    state: 'registered',
    created_at: device.createdAt,
    updated_at: device.updatedAt,
    etag: device.updatedAt,
  };
}
