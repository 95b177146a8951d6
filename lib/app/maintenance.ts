import { MaintenanceSchedule, type MaintenanceReader } from '../domain/maintenance';
import type { MonitorsConfig } from '../domain/types';

/**
 * Every monitor's maintenance calendar: the windows of monitors.yml and the ad-hoc ones stored in
 * the table. One Query (skipped when nothing could be stored: no reader given).
 */
export async function loadMaintenanceSchedule(config: Pick<MonitorsConfig, 'maintenance'>, reader: MaintenanceReader | undefined): Promise<MaintenanceSchedule> {
  const adHoc = reader ? await reader.listAdHocWindows() : [];
  return new MaintenanceSchedule(config.maintenance, adHoc);
}
