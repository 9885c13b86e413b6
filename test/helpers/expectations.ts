// Values several tests expect, written once here and independently of the code they check (importing them from
// src/ would let a wrong value pass).

/** What every window's webPreferences must say (Electron's security checklist). */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false
}

/** The documented fields of a training.epoch report (less the event's runId), sorted. */
export const EPOCH_REPORT_KEYS = [
  'epoch',
  'epochs',
  'loss',
  'recon',
  'kl',
  'valLoss',
  'imagesPerSecond',
  'seconds',
  'etaSeconds',
  'tensors',
  'rss',
  'lr'
].sort()
