// The release operations of the service: firmware manifests, update campaigns (with their metrics,
// statistics and device metadata) and the device directory. Same transport, same one-attempt rule and
// same ServiceError as the upload operations it extends.
import {
  MAX_MANIFEST_SIZE,
  releasePaths,
  type CampaignDeviceMetadata,
  type CampaignMetrics,
  type Device,
  type EventType,
  type FirmwareManifest,
  type SummaryStatusId,
  type UpdateCampaign,
  type UpdateCampaignRequest,
} from '../api/release.js';
import type { ListPage } from '../api/types.js';
import { UpdateServiceClient, type ListFilter, type ListQuery } from './client.js';
import { multipartBody } from './multipart.js';
import { checkEntity } from './validate.js';

export interface ManifestUpload {
  name: string;
  description?: string;
  /** The manifest file's name as sent (the service allows 100 characters). */
  fileName: string;
  data: Buffer;
}

export class DeviceManagementClient extends UpdateServiceClient {
  async createManifest(upload: ManifestUpload): Promise<FirmwareManifest> {
    const operation = `upload manifest "${upload.name}"`;
    const { body, contentType } = await multipartBody({
      datafile: { fileName: upload.fileName, data: upload.data },
      name: upload.name,
      description: upload.description,
    });
    const response = await this.call(operation, {
      method: 'POST',
      path: releasePaths.firmwareManifests,
      headers: { 'content-type': contentType, 'content-length': String(body.length) },
      body,
    });
    return checkEntity('firmware manifest', this.parseObject(operation, response), operation, true);
  }

  listManifests(query?: ListQuery): Promise<ListPage<FirmwareManifest>> {
    return this.list('firmware manifest', 'list firmware manifests', releasePaths.firmwareManifests, query);
  }

  allManifests(filter?: ListFilter): Promise<FirmwareManifest[]> {
    return this.all('list firmware manifests', (q) => this.listManifests(q), filter);
  }

  /** The bytes of the manifest file the service stores (its `datafile`), at most the 2 KB it accepts. */
  readManifestDatafile(manifest: FirmwareManifest): Promise<Buffer> {
    return this.download(`read firmware manifest ${manifest.id}`, manifest.datafile, MAX_MANIFEST_SIZE);
  }

  createCampaign(request: UpdateCampaignRequest): Promise<UpdateCampaign> {
    return this.json(
      'update campaign',
      `create update campaign "${request.name}"`,
      'POST',
      releasePaths.campaigns,
      request,
    );
  }

  listCampaigns(query?: ListQuery): Promise<ListPage<UpdateCampaign>> {
    return this.list('update campaign', 'list update campaigns', releasePaths.campaigns, query);
  }

  allCampaigns(filter?: ListFilter): Promise<UpdateCampaign[]> {
    return this.all('list update campaigns', (q) => this.listCampaigns(q), filter);
  }

  getCampaign(id: string): Promise<UpdateCampaign> {
    return this.json('update campaign', `get update campaign ${id}`, 'GET', releasePaths.campaign(id));
  }

  /** 202 Accepted: the campaign moves on asynchronously (409 in the wrong phase). */
  async startCampaign(id: string): Promise<void> {
    await this.call(`start update campaign ${id}`, {
      method: 'POST',
      path: releasePaths.startCampaign(id),
      headers: {},
    });
  }

  async stopCampaign(id: string): Promise<void> {
    await this.call(`stop update campaign ${id}`, {
      method: 'POST',
      path: releasePaths.stopCampaign(id),
      headers: {},
    });
  }

  getCampaignMetrics(id: string): Promise<CampaignMetrics> {
    return this.json(
      'campaign metrics',
      `get metrics of update campaign ${id}`,
      'GET',
      releasePaths.campaignMetrics(id),
    );
  }

  listCampaignEventTypes(id: string, summaryStatus: SummaryStatusId): Promise<ListPage<EventType>> {
    return this.list(
      'event type',
      `get ${summaryStatus} event types of update campaign ${id}`,
      releasePaths.campaignEventTypes(id, summaryStatus),
    );
  }

  listCampaignDeviceMetadata(id: string, query?: ListQuery): Promise<ListPage<CampaignDeviceMetadata>> {
    return this.list(
      'campaign device metadata',
      `list devices of update campaign ${id}`,
      releasePaths.campaignDeviceMetadata(id),
      query,
    );
  }

  /** Every page of the campaign's device metadata. */
  allCampaignDeviceMetadata(id: string, filter?: ListFilter): Promise<CampaignDeviceMetadata[]> {
    return this.all(
      `list devices of update campaign ${id}`,
      (q) => this.listCampaignDeviceMetadata(id, q),
      filter,
    );
  }

  listDevices(query?: ListQuery): Promise<ListPage<Device>> {
    return this.list('device', 'list devices', releasePaths.devices, query);
  }

  /** Every device a campaign's `device_filter` selects (sent as the one URL-encoded `filter=`). */
  devicesMatching(deviceFilter: string): Promise<Device[]> {
    return this.all('list devices', (q) => this.listDevices(q), { filter: deviceFilter });
  }
}
