Feature: People sync from Marketo to Sales Insight Actions
  SIA keeps its own copy of the qualified Marketo persons: Salesforce leads and contacts
  that have a user as sales owner. People flow one way, Marketo to SIA, with exactly 13
  fields, duplicates kept, and no edits in SIA. Most scenarios use the "people-edges"
  world: owners of every kind, leads, contacts and a converted lead, Marketo-only persons,
  every synced field filled, look-alike fields beside them (see fixtures/scenarios/).

  @P-OWNER @P-INITIAL
  Scenario: The initial sync copies the leads and contacts a user owns, and no one else
    Given the data set "people-edges" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has a person for each of these Marketo persons:
      | person                               |
      | lena@leadco.example                  |
      | carla@acme.example                   |
      | sam@syncco.example                   |
      | zoe.oster@globex.example             |
      | Connie.Converted+sales@ACME.example  |
      | uma@optout.example                   |
      | Nils Noemail                         |
    And SIA has no person for any of these Marketo persons:
      | person                    |
      | quinn@queueco.example     |
      | chris@globex.example      |
      | mona@only.example         |
      | olga@marketo-only.example |

  @P-OWNER
  Scenario: Persons with no user as owner stay out on the incremental path too
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    When a Salesforce lead "Quentin Queue" at "Queue Two" with email "quentin@queueco.example" is created for the queue "Inbound Leads"
    And Marketo's Salesforce sync runs
    And these changes are made in Marketo:
      | person                    | field | value             | source                   |
      | mona@only.example         | title | Head of Marketing | a Marketo form fill      |
      | olga@marketo-only.example | phone | +49 89 111111     | the Marketo API          |
      | quinn@queueco.example     | title | Senior Analyst    | the Marketo API          |
      | chris@globex.example      | title | Lead Engineer     | a Marketo smart campaign |
    And a Marketo form fill creates the person "Fay Form" with email "fay@form.example"
    And SIA runs the incremental sync
    Then SIA has no person for any of these Marketo persons:
      | person                    |
      | quinn@queueco.example     |
      | quentin@queueco.example   |
      | chris@globex.example      |
      | mona@only.example         |
      | olga@marketo-only.example |
      | fay@form.example          |
    And SIA has the person "sam@syncco.example"

  @P-OWNER @reference
  Scenario: A lead owned by a queue has no sales owner, an inactive user still is one
    Given the data set "people-edges" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has no person "quinn@queueco.example"
    And SIA has the person "ines@goneco.example"

  @P-OWNER @reference
  Scenario: A person that loses its sales owner leaves SIA's list
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    When the Salesforce lead "lena@leadco.example" is assigned to the queue "Inbound Leads"
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    Then SIA has no person "lena@leadco.example"

  @P-OWNER-LATER @P-FIELDS
  Scenario Outline: A person that gains a sales owner later appears through incremental sync, once, with its fields
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    When <change>
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    Then the SIA person "<person>" matches its Marketo person on the 13 fields
    When SIA runs the incremental sync
    Then the SIA person "<person>" matches its Marketo person on the 13 fields

    Examples:
      | change                                                                                                                          | person                    |
      | the Salesforce lead "quinn@queueco.example" is assigned to the user "rita.rep@acme.example"                                     | quinn@queueco.example     |
      | the Salesforce contact "chris@globex.example" is assigned to the user "otto.other@acme.example"                                 | chris@globex.example      |
      | a Salesforce lead "Nora New" at "New Co" with email "nora@newco.example" is created for the user "marketo.sync@acme.example"     | nora@newco.example        |
      | a Salesforce contact "Cody New" of the account "Globex Ibérica" with email "cody@globex.example" is created for the user "rita.rep@acme.example" | cody@globex.example |
      | Marketo's Salesforce sync makes the person "mona@only.example" the Salesforce lead of the user "rita.rep@acme.example"          | mona@only.example         |
      | Marketo's Salesforce sync makes the person "olga@marketo-only.example" the Salesforce lead of the user "otto.other@acme.example" | olga@marketo-only.example |

  @P-FIELDS
  Scenario: Exactly the 13 fields reach SIA, each from its own Marketo field
    Given the data set "people-edges" in Salesforce and Marketo
    When the admin starts the data sync
    Then every SIA person has exactly the 13 synced fields
    And every SIA person matches its Marketo person on the 13 fields
    And no value of a Marketo field SIA does not sync reached SIA

  @P-INITIAL @P-OWNER @P-FIELDS
  Scenario: The initial sync copies every qualified person of a generated world, with its fields
    Given a generated world of 400 persons in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA's people are exactly the Marketo persons with a user as sales owner
    And every SIA person matches its Marketo person on the 13 fields

  @P-INITIAL
  Scenario: A person made moments before the admin starts the sync is copied
    Given the data set "people-edges" in Salesforce and Marketo
    And a Salesforce lead "Nina Now" at "Now Co" with email "nina@now.example" is created for the user "rita.rep@acme.example"
    And Marketo's Salesforce sync runs
    When the admin starts the data sync
    Then the SIA person "nina@now.example" matches its Marketo person on the 13 fields

  @P-INITIAL
  Scenario: The initial sync reaches back to the oldest person, years ago
    Given the data set "long-history" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has a person for each of these Marketo persons:
      | person                  |
      | olivia@oldest.example   |
      | pablo@past.example      |
      | rosa@recent.example     |
    And every SIA person matches its Marketo person on the 13 fields

  @P-FIELDS-FIXED
  Scenario: No field mapping can be configured before the sync starts
    Given the data set "people-edges" in Salesforce and Marketo
    When an admin tries each of these field mappings:
      | SIA field    | Marketo field      |
      | Title        | city               |
      | Phone Number | mobilePhone        |
      | Source       | originalSourceType |
      | Title        | title              |
      | City         | city               |
      | Email        |                    |
    Then every attempt is refused with a clear error
    When an admin tries to map all of them at once:
      | SIA field  | Marketo field |
      | First Name | lastName      |
      | Last Name  | firstName     |
    Then every attempt is refused with a clear error
    When the admin starts the data sync
    Then every SIA person matches its Marketo person on the 13 fields
    And no value of a Marketo field SIA does not sync reached SIA

  @P-FIELDS-FIXED
  Scenario: No field mapping can be configured once the sync runs, and none is applied later
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    When an admin tries each of these field mappings:
      | SIA field    | Marketo field |
      | Company      | industry      |
      | LinkedIn URL | website       |
      | Phone Number | mobilePhone   |
    Then every attempt is refused with a clear error
    When these changes are made in Marketo:
      | person              | field       | value           |
      | lena@leadco.example | industry    | Energy          |
      | lena@leadco.example | website     | https://new.example |
      | lena@leadco.example | mobilePhone | +34 699 000 777 |
      | lena@leadco.example | title       | Chief Buyer     |
    And SIA runs the incremental sync
    Then every SIA person matches its Marketo person on the 13 fields
    And no value of a Marketo field SIA does not sync reached SIA

  @P-DUPLICATES
  Scenario: Persons who share an email are each a SIA person of their own
    Given the data set "shared-emails" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has a person for each of these Marketo persons:
      | person                    |
      | dana.dupe@acme.example#1  |
      | dana.dupe@acme.example#2  |
      | Dana.Dupe@ACME.example    |
      | Pat Nomail                |
      | Kim Nomail                |
    And SIA has 2 people with email "dana.dupe@acme.example"
    And those people have different Marketo IDs
    And every SIA person matches its Marketo person on the 13 fields

  @P-DUPLICATES
  Scenario: Incremental changes keep persons who share an email apart
    Given the data set "shared-emails" in Salesforce and Marketo
    And the admin has started the data sync
    When a Salesforce lead "Dana Third" at "Acme Corp" with email "dana.dupe@acme.example" is created for the user "rita.rep@acme.example"
    And Marketo's Salesforce sync runs
    And these changes are made in Marketo:
      | person                   | field   | value                  | source              |
      | dana.dupe@acme.example#2 | title   | Lead Engineer          | the Marketo API     |
      | dana.dupe@acme.example#1 | company | Acme Holdings          | a Marketo form fill |
      | Kim Nomail               | email   | dana.dupe@acme.example | the Marketo API     |
      | Pat Nomail               | title   | Managing Owner         | the Marketo API     |
    And SIA runs the incremental sync
    Then SIA has 4 people with email "dana.dupe@acme.example"
    And those people have different Marketo IDs
    And every SIA person matches its Marketo person on the 13 fields

  @P-DUPLICATES @reference
  Scenario: Emails that differ only in case are not merged either
    Given the data set "shared-emails" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has 3 people whose email is "dana.dupe@acme.example" ignoring case

  @U-MARKETO-CHECK @reference
  Scenario: The check asks by address: any Marketo person with it unsubscribed blocks the send
    Given the data set "duplicates" in Salesforce and Marketo
    And the admin has started the data sync
    And the setting "marketo_unsubscribe_check" is on
    And the Marketo-only person with email "dana.dupe@acme.example" is unsubscribed in Marketo
    When a seller sends the sales email "Quarterly review" to "Dana.Dupe@ACME.example"
    Then the send is refused with a clear error
    And the send asked Marketo exactly once whether "Dana.Dupe@ACME.example" is unsubscribed

  @P-INCREMENTAL
  Scenario Outline: A change to any synced field reaches SIA, whatever made it in Marketo
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    When <source> changes the field "<field>" of the person "<person>" to "<value>"
    And SIA runs the incremental sync
    Then the SIA person "<person>" has "<label>" "<value>"
    And every SIA person matches its Marketo person on the 13 fields

    Examples:
      | source                   | field              | label        | value                                             | person              |
      | the Marketo API          | firstName          | First Name   | Élodie                                            | lena@leadco.example |
      | a Marketo form fill      | lastName           | Last Name    | O'Connor-Ñúñez                                    | carla@acme.example  |
      | a Marketo smart campaign | email              | Email        | Lena.New+promo@LeadCo.example                     | lena@leadco.example |
      | the Marketo API          | company            | Company      | Lead & Co. (Ibérica)                              | lena@leadco.example |
      | a Marketo form fill      | title              | Title        | [255 characters]                                  | carla@acme.example  |
      | a Marketo smart campaign | phone              | Phone Number | +1 (650) 555-0199 x7                              | sam@syncco.example  |
      | the Marketo API          | linkedInProfileURL | LinkedIn URL | https://www.linkedin.com/in/élodie-lead?trk=a&b=c | lena@leadco.example |
      | a Marketo form fill      | leadSource         | Source       | Trade Show                                        | sam@syncco.example  |
      | the Marketo API          | title              | Title        |                                                   | lena@leadco.example |
      | a Marketo smart campaign | phone              | Phone Number |                                                   | carla@acme.example  |

  @P-INCREMENTAL
  Scenario: Several fields changed at once, and one field changed twice, all reach SIA
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    When the Marketo API changes the fields of the person "carla@acme.example" at once:
      | field      | value              |
      | firstName  | Carlota            |
      | title      | Chief Procurement  |
      | phone      | +1 415 555 0111    |
      | leadSource | Conference         |
    And the Marketo API changes the field "title" of the person "lena@leadco.example" to "First title"
    And a Marketo form fill changes the field "title" of the person "lena@leadco.example" to "Second title"
    And SIA runs the incremental sync
    Then the SIA person "carla@acme.example" has "First Name" "Carlota"
    And the SIA person "carla@acme.example" has "Source" "Conference"
    And the SIA person "lena@leadco.example" has "Title" "Second title"
    And every SIA person matches its Marketo person on the 13 fields

  @P-INCREMENTAL
  Scenario: More changes than one page of Marketo's change feed all reach SIA
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    When the Marketo API changes the "title" of the person "lena@leadco.example" 320 times, last to "Final title"
    And SIA runs the incremental sync
    Then the SIA person "lena@leadco.example" has "Title" "Final title"

  @P-INCREMENTAL
  Scenario Outline: A change made in Salesforce reaches SIA through Marketo, for leads and contacts
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    When <change>
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    Then the SIA person "<person>" has "<label>" "<value>"
    And every SIA person matches its Marketo person on the 13 fields

    Examples:
      | change                                                                           | person              | label        | value            |
      | in Salesforce the contact "carla@acme.example" gets the title "VP Procurement"   | carla@acme.example  | Title        | VP Procurement   |
      | in Salesforce the lead "lena@leadco.example" gets the phone "+351 21 000 1111"   | lena@leadco.example | Phone Number | +351 21 000 1111 |
      | in Salesforce the lead "sam@syncco.example" gets the source "Partner"            | sam@syncco.example  | Source       | Partner          |
      | in Salesforce the contact "carla@acme.example" moves to the account "Globex Ibérica" | carla@acme.example | Company   | Globex Ibérica   |

  @P-INCREMENTAL
  Scenario: A change to a field SIA does not sync changes nothing in SIA
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    And SIA's people as they are now
    When the Salesforce lead "lena@leadco.example" is assigned to the user "otto.other@acme.example"
    And Marketo's Salesforce sync runs
    And these changes are made in Marketo:
      | person              | field              | value               | source                    |
      | lena@leadco.example | city               | Porto               | the Marketo API           |
      | lena@leadco.example | mobilePhone        | +351 91 000 0000    | a Marketo form fill       |
      | sam@syncco.example  | mobilePhone        | +44 7700 900999     | the Marketo API           |
      | sam@syncco.example  | originalSourceType | Trade show          | Marketo's Salesforce sync |
      | carla@acme.example  | middleName         | Isabel              | a Marketo smart campaign  |
      | carla@acme.example  | department         | Global Sourcing     | the Marketo API           |
      | carla@acme.example  | leadScore          | 99                  | a Marketo smart campaign  |
      | carla@acme.example  | website            | https://acme.example/new | the Marketo API      |
    And SIA runs the incremental sync
    Then SIA's people are as they were

  @P-READONLY
  Scenario: Creating a person in SIA is refused, whatever it names
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    And SIA's people as they are now
    When a SIA user tries to create each of these people:
      | First Name | Last Name | Email               | Marketo ID        | Company      |
      | Eve        | Example   | eve@example.com     |                   |              |
      | Mona       | Marketo   | mona@only.example   | mona@only.example | Only Marketo |
      | Lena       | Copy      | lena@leadco.example |                   | Lead Co      |
      | Nobody     |           |                     |                   |              |
    Then every attempt is refused with a clear error
    And SIA's people are as they were
    When SIA runs the incremental sync
    Then SIA's people are as they were

  @P-READONLY
  Scenario: Editing any field of a person in SIA is refused, and changes nothing
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    And SIA's people as they are now
    When a SIA user tries each of these changes:
      | person              | field                     | value                   |
      | lena@leadco.example | First Name                | Lenny                   |
      | lena@leadco.example | Last Name                 | Leader                  |
      | lena@leadco.example | Email                     | lenny@leadco.example    |
      | lena@leadco.example | Company                   | Other Co                |
      | lena@leadco.example | Title                     | CEO                     |
      | lena@leadco.example | Title                     | Head of Procurement     |
      | carla@acme.example  | Phone Number              | +1 000 000 0000         |
      | carla@acme.example  | LinkedIn URL              | https://linkedin.com/in/x |
      | carla@acme.example  | Source                    | Edited in SIA           |
      | carla@acme.example  | Salesforce Account ID     | 0015cn000000009AAA      |
      | carla@acme.example  | Salesforce Opportunity ID | 0065cn000000009AAA      |
      | carla@acme.example  | Salesforce Contact ID     | 0035cn000000009AAA      |
      | sam@syncco.example  | Salesforce Lead ID        | 00Q5cn000000009AAA      |
      | sam@syncco.example  | Marketo ID                | 999999                  |
      | Nils Noemail        | Email                     | nils@nomail.example     |
      | Nils Noemail        | City                      | Stockholm               |
      | mona@only.example   | Title                     | CEO                     |
    Then every attempt is refused with a clear error
    And SIA's people are as they were
    When SIA runs the incremental sync
    Then SIA's people are as they were

  @P-DIRECTION @P-READONLY
  Scenario Outline: A seller's action writes no person's fields, in SIA, Marketo or Salesforce
    Given the data set "people-edges" in Salesforce and Marketo
    And the setting "task_sync" is on
    And the admin has started the data sync
    And SIA's people as they are now
    And the persons in Marketo and Salesforce as they are now
    When <action>
    And SIA runs every periodic sync
    Then no person's fields changed in Marketo or Salesforce but the Email Opt Out
    And SIA made no call that writes a person to Marketo
    And SIA made no call that writes a lead or contact to Salesforce but an Email Opt Out
    And SIA's people are as they were

    Examples:
      | action                                                                                     |
      | a seller sends the sales email "Quarterly review" to "lena@leadco.example"                 |
      | a seller sends the sales email "Renewal" in the sales campaign "Q4 Outreach" to "carla@acme.example" |
      | a seller records a reply to a sales email to "carla@acme.example"                          |
      | a seller records a bounce of a sales email to "lena@leadco.example"                        |
      | a seller logs a no answer call of 30 seconds with "lena@leadco.example"                    |
      | a seller logs a completed call of 300 seconds with "carla@acme.example"                    |
      | a seller removes from the sales campaign "Q4 Outreach" "carla@acme.example"                |
      | "lena@leadco.example" unsubscribes in SIA                                                  |
      | "carla@acme.example" unsubscribes in SIA                                                   |
      | "carla@acme.example" re-subscribes in SIA                                                  |
      | a seller creates the reminder task "Call back" for "carla@acme.example"                    |
      | a SIA user tries to change the "Title" of the person "lena@leadco.example" to "CEO"        |
      | a SIA user tries to create a person named "Eve Example" with email "eve@example.com"       |
      | SIA runs the incremental sync                                                              |
      | SIA runs the unsubscribe sync                                                              |
      | SIA runs the task sync                                                                     |

  @P-OWN-DB
  Scenario: SIA lists its people from its own database, with Marketo out of reach
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync
    And SIA's people as they are now
    When Marketo and Salesforce stop answering
    Then SIA still lists its people, and listing them made no call to Marketo or Salesforce
