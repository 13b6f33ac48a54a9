#!/bin/sh
echo "cli: not yet"; exit 77
