/*
 * calendar_time.c — RFC 3339 and dates (see calendar_time.h).
 */
#include "providers/calendar/calendar_time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int digits(const char *text, int count, int *out)
{
  int value = 0;
  for (int i = 0; i < count; i++) {
    if (!isdigit((unsigned char)text[i]))
      return -1;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return 0;
}

static int days_in_month(int year, int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

static int parse_day(const char *text, struct tm *tm)
{
  int year, month, day;
  if (digits(text, 4, &year) != 0 || text[4] != '-' || digits(text + 5, 2, &month) != 0 || text[7] != '-' ||
      digits(text + 8, 2, &day) != 0)
    return -1;
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
    return -1;
  memset(tm, 0, sizeof *tm);
  tm->tm_year = year - 1900;
  tm->tm_mon = month - 1;
  tm->tm_mday = day;
  return 0;
}

int calendar_time_parse_date(const char *text, int64_t *epoch_s)
{
  struct tm tm;
  if (!text || strlen(text) != 10 || parse_day(text, &tm) != 0)
    return -1;
  *epoch_s = (int64_t)timegm(&tm);
  return 0;
}

int calendar_time_parse(const char *text, int64_t *epoch_s, int *offset_s)
{
  struct tm tm;
  int hour, minute, second;
  if (!text || strlen(text) < 20 || parse_day(text, &tm) != 0 || (text[10] != 'T' && text[10] != 't') ||
      digits(text + 11, 2, &hour) != 0 || text[13] != ':' || digits(text + 14, 2, &minute) != 0 || text[16] != ':' ||
      digits(text + 17, 2, &second) != 0 || hour > 23 || minute > 59 || second > 60)
    return -1;
  const char *p = text + 19;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p))
      return -1;
    while (isdigit((unsigned char)*p))
      p++;
  }
  int offset = 0;
  if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
    offset = 0;
  } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
    int oh, om;
    if (digits(p + 1, 2, &oh) != 0 || digits(p + 4, 2, &om) != 0 || oh > 23 || om > 59)
      return -1;
    offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
  } else {
    return -1;
  }
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second > 59 ? 59 : second;
  *epoch_s = (int64_t)timegm(&tm) - offset;
  if (offset_s)
    *offset_s = offset;
  return 0;
}

void calendar_time_format(int64_t epoch_s, int offset_s, char *out, size_t size)
{
  time_t local = (time_t)(epoch_s + offset_s);
  struct tm tm;
  gmtime_r(&local, &tm);
  char zone[16] = "Z";
  if (offset_s != 0) {
    int magnitude = offset_s < 0 ? -offset_s : offset_s;
    snprintf(zone, sizeof zone, "%c%02d:%02d", offset_s < 0 ? '-' : '+', magnitude / 3600, magnitude % 3600 / 60);
  }
  snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
           tm.tm_min, tm.tm_sec, zone);
}

void calendar_time_format_date(int64_t epoch_s, char *out, size_t size)
{
  time_t when = (time_t)epoch_s;
  struct tm tm;
  gmtime_r(&when, &tm);
  snprintf(out, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
