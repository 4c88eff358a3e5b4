/** Shared strings for the IIS rule tests: the appcmd prefix and section names the fixes must use. */
export const APPCMD = '%windir%\\system32\\inetsrv\\appcmd.exe set config';
export const WINDOWS = '-section:system.webServer/security/authentication/windowsAuthentication';
export const ANONYMOUS = '-section:system.webServer/security/authentication/anonymousAuthentication';

/** One appcmd provider edit, as the fix prints it. */
export function providerEdit(location: string, op: '+' | '-', value: string): string {
  return `${APPCMD} "${location}" ${WINDOWS} /${op}"providers.[value='${value}']" /commit:apphost`;
}

export function pos(line: number, file = 'WEB03/applicationHost.config'): { file: string; line: number } {
  return { file, line };
}
