#!/bin/sh
echo "golden: not yet"; exit 77
