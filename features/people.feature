Feature: People sync from Marketo to Sales Insight Actions
  SIA keeps its own copy of the qualified Marketo persons: Salesforce leads and contacts
  that have a user as sales owner. People flow one way, Marketo to SIA, with exactly 13
  fields, duplicates kept, and no edits in SIA.

  @P-OWNER
  Scenario: Only persons with a user as sales owner are synced
    Given the data set "owner-filter" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has exactly these people:
      | First Name | Last Name | Email                |
      | Lena       | Lead      | lena@leadco.example  |
      | Sam        | Synced    | sam@syncco.example   |
      | Inés       | Núñez     | ines@goneco.example  |
      | Carla      | Contact   | carla@acme.example   |

  @P-OWNER
  Scenario: A person that exists only in Marketo is not synced
    Given the data set "owner-filter" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has no person with email "mona@only.example"

  @P-OWNER
  Scenario: The Marketo Sync user counts as a sales owner
    Given the data set "owner-filter" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has a person with email "sam@syncco.example"

  @P-OWNER @reference
  Scenario: A lead owned by a queue has no sales owner, an inactive user still is one
    Given the data set "owner-filter" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has no person with email "quinn@queueco.example"
    And SIA has a person with email "ines@goneco.example"

  @P-OWNER @reference
  Scenario: A person that loses its sales owner leaves SIA's list
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When the Salesforce lead "lena@leadco.example" is assigned to the queue "Inbound Leads"
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    Then SIA has no person with email "lena@leadco.example"

  @P-OWNER-LATER
  Scenario: A person that gains a sales owner later appears through incremental sync
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    And SIA has no person with email "quinn@queueco.example"
    When the Salesforce lead "quinn@queueco.example" is assigned to the user "rita.rep@acme.example"
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    Then SIA has a person with email "quinn@queueco.example"

  @P-OWNER-LATER
  Scenario: A new Salesforce lead with an owner appears through incremental sync
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When a Salesforce lead "Nora New" at "New Co" with email "nora@newco.example" is created for the user "rita.rep@acme.example"
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    Then SIA has a person with email "nora@newco.example"

  @P-FIELDS
  Scenario: Exactly the 13 fields reach SIA
    Given the data set "owner-filter" in Salesforce and Marketo
    When the admin starts the data sync
    Then every SIA person has exactly the 13 synced fields
    And every SIA person matches its Marketo person on the 13 fields
    And no value of a field SIA does not sync reached SIA

  @P-FIELDS
  Scenario: A generated world's people carry their 13 fields
    Given a generated world of 150 persons in Salesforce and Marketo
    When the admin starts the data sync
    Then every SIA person has exactly the 13 synced fields
    And every SIA person matches its Marketo person on the 13 fields

  @P-FIELDS-FIXED
  Scenario: Changing which Marketo field feeds a SIA field is refused
    Given the data set "owner-filter" in Salesforce and Marketo
    When an admin tries to map the Marketo field "city" to the SIA field "Title"
    Then the request is refused with a clear error
    When the admin starts the data sync
    Then every SIA person matches its Marketo person on the 13 fields

  @P-DUPLICATES
  Scenario: Two persons with the same email become two SIA people
    Given the data set "duplicates" in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA has 2 people with email "dana.dupe@acme.example"
    And those people have different Marketo IDs

  @P-DUPLICATES @reference
  Scenario: Emails that differ only in case are not merged either
    Given the data set "duplicates" in Salesforce and Marketo
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

  @P-INITIAL
  Scenario: The initial sync copies every qualified person of a generated world
    Given a generated world of 300 persons in Salesforce and Marketo
    When the admin starts the data sync
    Then SIA's people are exactly the Marketo persons with a user as sales owner

  @P-INCREMENTAL
  Scenario Outline: A change to a synced field reaches SIA, whatever made it
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When <source> changes the field "<field>" of the person "carla@acme.example" to "<value>"
    And SIA runs the incremental sync
    Then the SIA person with the Marketo ID of "carla@acme.example" has "<label>" "<value>"

    Examples:
      | source                    | field     | label        | value                 |
      | the Marketo API           | title     | Title        | Head of Buying        |
      | a Marketo form fill       | phone     | Phone Number | +34 600 000 001       |
      | a Marketo smart campaign  | lastName  | Last Name    | Contact-Smith         |
      | the Marketo API           | email     | Email        | carla.new@acme.example |

  @P-INCREMENTAL
  Scenario: A change made in Salesforce reaches SIA through Marketo
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When the Salesforce contact "carla@acme.example" gets the title "VP Procurement"
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    Then the SIA person with the Marketo ID of "carla@acme.example" has "Title" "VP Procurement"

  @P-INCREMENTAL
  Scenario: A change to a field SIA does not sync changes nothing in SIA
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When the Marketo API changes the field "city" of the person "carla@acme.example" to "Lisbon"
    And SIA runs the incremental sync
    Then SIA's people are as they were before the change

  @P-READONLY
  Scenario: Creating a person in SIA is refused
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When a SIA user tries to create a person named "Eve Example" with email "eve@example.com"
    Then the request is refused with a clear error
    And SIA's people are as they were before the change

  @P-READONLY
  Scenario: Editing a person in SIA is refused
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When a SIA user tries to change the "Title" of the person "carla@acme.example" to "CEO"
    Then the request is refused with a clear error
    And SIA's people are as they were before the change

  @P-DIRECTION
  Scenario: SIA never writes a person's fields to Marketo or Salesforce
    Given the data set "owner-filter" in Salesforce and Marketo
    When the admin starts the data sync
    And the Marketo API changes the field "title" of the person "carla@acme.example" to "Buyer"
    And SIA runs the incremental sync
    And a SIA user tries to change the "Title" of the person "carla@acme.example" to "CEO"
    Then SIA made no call that writes a person to Marketo
    And SIA made no call that writes a lead or contact to Salesforce

  @P-OWN-DB
  Scenario: SIA lists its people from its own database, with Marketo out of reach
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When Marketo and Salesforce stop answering
    Then SIA still lists 4 people
    And listing the people made no call to Marketo or Salesforce
