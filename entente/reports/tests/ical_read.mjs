// Reads an iCalendar file with ical.js and prints {uid: [start, end]} as JSON: instants
// in UTC (ISO 8601, milliseconds, "Z"), whole days as YYYY-MM-DD.
// Usage: node ical_read.mjs PATH/TO/ical.js FILE.ics
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [, , library, file] = process.argv;
const { default: ICAL } = await import(pathToFileURL(library).href);

const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
// Only the file's own VTIMEZONEs: ical.js knows no zones of its own besides UTC.
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const shown = (time) => (time.isDate ? time.toString() : time.toJSDate().toISOString());
const events = {};
for (const component of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(component);
  events[event.uid] = [shown(event.startDate), shown(event.endDate)];
}
process.stdout.write(JSON.stringify(events));
