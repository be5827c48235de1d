// Routes of the release side: the single multipart image POST, manifests, campaigns, devices.
import { MAX_CHUNK_SIZE, paths } from '../api/types.js';
import { releasePaths } from '../api/release.js';
import { CAMPAIGN_FILTERS, DEVICE_METADATA_FILTERS } from './campaign-records.js';
import type { CampaignStore } from './campaigns.js';
import { DEVICE_FILTERS, deviceView, type DeviceTable } from './devices.js';
import { ApiError } from './errors.js';
import { listPage, parseListQuery } from './listing.js';
import {
  manifestDatafilePath,
  manifestView,
  type DeliverableImage,
  type ManifestStore,
} from './manifests.js';
import { formBoolean, readMultipart, requireFile } from './multipart.js';
import {
  accepted,
  ID,
  ok,
  readJson,
  type Context,
  type Handler,
  type Reply,
  type RouteTable,
} from './reply.js';
import { imageView } from './records.js';
import type { Store } from './store.js';
import type { ReleaseOperation } from './types.js';

const MANIFEST_FILTERS = [
  'id',
  'name',
  'description',
  'datafile',
  'datafile_size',
  'created_at',
  'updated_at',
  'etag',
];
/** Headroom over the file for the multipart framing and the text fields. */
const MULTIPART_OVERHEAD = 64 * 1024;

export interface ReleaseDeps {
  store: Store;
  devices: DeviceTable;
  manifests: ManifestStore;
  campaigns: CampaignStore;
  baseUrl: () => string;
  shortDatafile: boolean;
}

/** The account's images as a manifest can point at them. */
export function deliverableImages(
  deps: Pick<ReleaseDeps, 'store' | 'baseUrl' | 'shortDatafile'>,
): DeliverableImage[] {
  return deps.store.allImages().map((image) => {
    const view = imageView(image, deps.baseUrl(), deps.shortDatafile);
    return {
      id: image.id,
      urls: [view.datafile, ...(view.short_datafile ? [view.short_datafile] : [])],
      digests: [
        ...(image.encrypted ? [{ sha256Hex: image.encrypted.sha256Hex, size: image.encrypted.size }] : []),
        { sha256Hex: image.sha256Hex, size: image.size },
      ],
      sha256Hex: image.sha256Hex,
    };
  });
}

const campaignBase = releasePaths.campaigns;

export const RELEASE_ROUTES: RouteTable = [
  { pattern: new RegExp(`^${paths.firmwareImages}$`), methods: { POST: 'create-image' } },
  {
    pattern: new RegExp(`^${releasePaths.firmwareManifests}$`),
    methods: { GET: 'list-manifests', POST: 'create-manifest' },
  },
  {
    pattern: new RegExp(`^${releasePaths.firmwareManifests}/${ID}$`),
    methods: { GET: 'get-manifest', DELETE: 'delete-manifest' },
  },
  {
    pattern: new RegExp(`^${manifestDatafilePath(ID).replace(/\.manifest$/, '\\.manifest')}$`),
    methods: { GET: 'download-manifest' },
  },
  { pattern: new RegExp(`^${campaignBase}$`), methods: { GET: 'list-campaigns', POST: 'create-campaign' } },
  {
    pattern: new RegExp(`^${campaignBase}/${ID}$`),
    methods: { GET: 'get-campaign', DELETE: 'delete-campaign' },
  },
  { pattern: new RegExp(`^${campaignBase}/${ID}/start$`), methods: { POST: 'start-campaign' } },
  { pattern: new RegExp(`^${campaignBase}/${ID}/stop$`), methods: { POST: 'stop-campaign' } },
  { pattern: new RegExp(`^${campaignBase}/${ID}/metrics$`), methods: { GET: 'campaign-metrics' } },
  { pattern: new RegExp(`^${campaignBase}/${ID}/statistics$`), methods: { GET: 'campaign-statistics' } },
  {
    pattern: new RegExp(`^${campaignBase}/${ID}/statistics/${ID}/event_types$`),
    methods: { GET: 'campaign-event-types' },
  },
  {
    pattern: new RegExp(`^${campaignBase}/${ID}/campaign-device-metadata$`),
    methods: { GET: 'campaign-device-metadata' },
  },
  { pattern: new RegExp(`^${releasePaths.devices}$`), methods: { GET: 'list-devices' } },
];

export function releaseHandlers(deps: ReleaseDeps): Record<ReleaseOperation, Handler> {
  const { manifests, campaigns, devices } = deps;
  const campaignView = (id: string) => campaigns.view(campaigns.campaign(id), deps.baseUrl());
  const page = <T extends { id: string | number }>(items: T[], ctx: Context, filters: readonly string[]) =>
    ok(listPage(items, parseListQuery(ctx.query, filters)));

  const handlers = {
    'create-image': createImage,
    'list-manifests': async (ctx) =>
      page(
        manifests.all().map((m) => manifestView(m, deps.baseUrl())),
        ctx,
        MANIFEST_FILTERS,
      ),
    'create-manifest': createManifest,
    'get-manifest': async ({ params }) => ok(manifestView(manifests.manifest(params[0]!), deps.baseUrl())),
    'delete-manifest': async ({ params }) => (manifests.delete(params[0]!), { status: 204 }),
    'download-manifest': async ({ params }) => ({
      status: 200,
      text: { contentType: 'application/octet-stream', data: manifests.manifest(params[0]!).data },
    }),
    'list-campaigns': async (ctx) =>
      page(
        campaigns.all().map((c) => campaigns.view(c, deps.baseUrl())),
        ctx,
        CAMPAIGN_FILTERS,
      ),
    'create-campaign': async (ctx) => {
      const campaign = campaigns.create(await readJson(ctx.req));
      const location = deps.baseUrl() + releasePaths.campaign(campaign.id);
      return {
        status: 201,
        json: campaigns.view(campaign, deps.baseUrl()),
        headers: { Location: location },
      };
    },
    'get-campaign': async ({ params }) => ok(campaignView(params[0]!)),
    'delete-campaign': async ({ params }) => (campaigns.delete(params[0]!), { status: 204 }),
    'start-campaign': async ({ params }) => (campaigns.start(params[0]!), accepted(campaignView(params[0]!))),
    'stop-campaign': async ({ params }) => (campaigns.stop(params[0]!), accepted(campaignView(params[0]!))),
    'campaign-metrics': async ({ params }) => ok(campaigns.metrics(params[0]!)),
    'campaign-statistics': async (ctx) => page(campaigns.statistics(ctx.params[0]!), ctx, []),
    'campaign-event-types': async (ctx) =>
      page(campaigns.eventTypes(ctx.params[0]!, ctx.params[1]!), ctx, []),
    'campaign-device-metadata': async (ctx) =>
      page(campaigns.deviceMetadata(ctx.params[0]!), ctx, DEVICE_METADATA_FILTERS),
    'list-devices': async (ctx) => page(devices.all().map(deviceView), ctx, DEVICE_FILTERS),
  } satisfies Record<ReleaseOperation, Handler>;
  return handlers;

  async function createImage({ req }: Context): Promise<Reply> {
    const form = await readMultipart(req, MAX_CHUNK_SIZE + MULTIPART_OVERHEAD, 'firmware image');
    const file = requireFile(form, 'datafile');
    if (file.data.length > MAX_CHUNK_SIZE) {
      throw new ApiError(
        413,
        `A firmware image sent in one request may be at most ${MAX_CHUNK_SIZE} bytes (100 MiB); use an upload job`,
      );
    }
    if (file.data.length === 0)
      throw new ApiError(400, 'Validation error: datafile is empty', [
        { name: 'datafile', message: 'is empty' },
      ]);
    const image = await deps.store.createImageFromBytes({
      name: form.text('name') ?? file.fileName,
      description: form.text('description'),
      datafile_encryption: formBoolean(form, 'datafile_encryption'),
      data: file.data,
    });
    return { status: 201, json: imageView(image, deps.baseUrl(), deps.shortDatafile) };
  }

  async function createManifest({ req }: Context): Promise<Reply> {
    // A manifest is 2 KB at most; read a little more so that an oversize one gets the contract's 400.
    const form = await readMultipart(req, 4 * MULTIPART_OVERHEAD, 'manifest');
    const file = requireFile(form, 'datafile');
    const manifest = manifests.create(
      {
        name: form.text('name'),
        description: form.text('description'),
        fileName: file.fileName,
        data: file.data,
      },
      deliverableImages(deps),
    );
    const location = deps.baseUrl() + releasePaths.firmwareManifest(manifest.id);
    return { status: 201, json: manifestView(manifest, deps.baseUrl()), headers: { Location: location } };
  }
}
