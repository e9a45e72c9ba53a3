// Parse an iCalendar feed with Mozilla ical.js (the parser family Thunderbird uses) and print JSON:
// { vtimezones, method, name, events: [{ uid, summary, status, sequence, tzid, start_utc, end_utc, ... }] }.
// Times resolve only through the VTIMEZONEs embedded in the feed (ical.js has no zone database), so a broken
// VTIMEZONE shows up as wrong UTC instants; a TZID without one is reported in `errors`.
// Usage: node parse.mjs FEED.ics   (install once: npm install --prefix tests/icaljs)
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const toUtc = (prop, errors) => {
  if (!prop) return null;
  const value = prop.getFirstValue();
  const tzid = prop.getParameter('tzid') ?? null;
  if (tzid && (!value.zone || value.zone.tzid !== tzid)) {
    errors.push(`${prop.name} TZID=${tzid} has no VTIMEZONE`);
  }
  const utc = value.convertToZone(ICAL.Timezone.utcTimezone);
  return { tzid, local: value.toString(), utc: utc.toString().replace(/Z?$/, 'Z') };
};

const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], 'utf8')));
const errors = [];
for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(vtimezone);
}
const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
  const start = toUtc(vevent.getFirstProperty('dtstart'), errors);
  const end = toUtc(vevent.getFirstProperty('dtend'), errors);
  return {
    uid: vevent.getFirstPropertyValue('uid'),
    summary: vevent.getFirstPropertyValue('summary'),
    description: vevent.getFirstPropertyValue('description'),
    location: vevent.getFirstPropertyValue('location'),
    status: vevent.getFirstPropertyValue('status'),
    sequence: vevent.getFirstPropertyValue('sequence'),
    tzid: start ? start.tzid : null,
    start_utc: start ? start.utc : null,
    end_utc: end ? end.utc : null,
  };
});
process.stdout.write(JSON.stringify({
  method: calendar.getFirstPropertyValue('method'),
  name: calendar.getFirstPropertyValue('name'),
  vtimezones: calendar.getAllSubcomponents('vtimezone').map((tz) => tz.getFirstPropertyValue('tzid')),
  errors,
  events,
}) + '\n');
