/*
** A Query or Scan page, read one item at a time.
**
** cJSON parses a body into one tree. For a page of DynamoDB's size that is
** tens of thousands of nodes: allocated together, each read once by the
** cursor long after its parse (cold by then), and freed together, which
** leaves glibc's fast bins full for libcurl's next large allocation to sort
** out. Measured, that was over a fifth of a Scan's client CPU.
**
** So a page is split: page_split() parses the response with its Items
** array emptied (Count, LastEvaluatedKey, ConsumedCapacity are there at
** once, and the next page can be asked for), and leaves the array as text;
** page_next() parses one item when the cursor reaches it, and the cursor
** frees it when it moves on, so that every item's nodes reuse the same few
** cache-hot chunks.
**
** Finding the array takes a scan of the text that matches brackets and
** strings and checks nothing else; cJSON still parses every byte, so a page
** reads exactly as cJSON_ParseWithLength would read it, except that an item
** that is not valid JSON is found when the cursor reaches it, and that an
** item may nest two levels deeper (cJSON's limit is 1000 levels).
** Pure: no I/O.
*/
#ifndef DYNAMO_PAGE_H
#define DYNAMO_PAGE_H

#include "common.h"
#include <cJSON.h>

/* The items of a split page: text in a body the caller keeps alive. */
typedef struct page_items {
  const char *zNext;  /* just after '[' or after the last item parsed */
  const char *zEnd;   /* just after the array's ']' */
  int nItem;          /* items parsed so far */
} page_items;

/*
** Split the response body z (n bytes) whose first
** top-level member called "Items" is an array. SQLITE_OK: *pResp is the
** response parsed with "Items": [] in place of the array (the whole body
** must be one object, as cJSON_ParseWithLengthOpts(z, n + 1, 0, 1) requires),
** and *pItems points at the array's text. SQLITE_NOTFOUND: the body is not
** such an object, or a member name before "Items" holds an escape or a
** NUL byte (cJSON's name for it is not its text): the caller parses it
** whole, as before. SQLITE_NOMEM.
*/
int page_split(const char *z, size_t n, cJSON **pResp, page_items *pItems);

/*
** The next item: SQLITE_OK with *pItem (the caller's to cJSON_Delete), or
** with *pItem NULL after the last; SQLITE_ERROR when the text is not a
** JSON array of objects from here on (a malformed response).
*/
int page_next(page_items *pItems, cJSON **pItem);

#endif
