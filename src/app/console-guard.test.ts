import { describe, expect, it } from 'vitest';
import { refusal, statements } from './console-guard.ts';

const APP = ['events', 'sources', 'host_roles'];

describe('console guard', () => {
  it('refuses statements that change or shadow the app\'s tables, however they are spelt', () => {
    for (const sql of [
      'DROP TABLE events',
      'drop table if exists "Events"',
      'DELETE FROM relaywatch.main.events WHERE true',
      'UPDATE host_roles SET role = NULL',
      'INSERT INTO sources VALUES (1)',
      'ALTER TABLE events RENAME TO gone',
      'TRUNCATE events',
      'CREATE OR REPLACE TABLE events AS SELECT 1',
      'CREATE TEMP VIEW events AS SELECT 1',
      'SELECT 1; DROP TABLE events;',
      '-- tidy up\nDROP TABLE events',
      'USE memory',
      'DETACH relaywatch',
    ]) {
      expect(refusal(sql, APP), sql).not.toBeNull();
    }
  });

  it('lets the console read the app\'s tables and work on its own', () => {
    for (const sql of [
      'SELECT * FROM events',
      'CREATE TABLE mine AS SELECT * FROM events',
      'INSERT INTO mine SELECT * FROM events',
      'DROP TABLE mine',
      "SELECT 'DROP TABLE events; ' AS text",
      'SELECT 1 -- DROP TABLE events',
      'PRAGMA table_info(events)',
      'DELETE FROM events_copy',
    ]) {
      expect(refusal(sql, APP), sql).toBeNull();
    }
  });

  it('splits statements outside quotes and comments', () => {
    expect(statements("SELECT ';'; SELECT 2 /* ; */;")).toEqual(["SELECT ';'", 'SELECT 2 /* ; */']);
  });
});
